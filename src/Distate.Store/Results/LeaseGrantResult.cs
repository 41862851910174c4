namespace Distate.Store.Results;

/// <summary>The answer to a lease grant.</summary>
/// <param name="Revision">Header revision (lease commands do not advance it).</param>
/// <param name="Id">The granted lease id (server-chosen when the request asked for 0).</param>
/// <param name="TtlSeconds">The granted TTL, after raising to the minimum.</param>
public sealed record LeaseGrantResult(Revision Revision, LeaseId Id, long TtlSeconds) : StoreResult(Revision);
