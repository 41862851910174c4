namespace Distate.Store.Results;

/// <summary>What the store knows of one lease: the server overlays its live deadline on the checkpointed remaining TTL.</summary>
/// <param name="Id">The lease id.</param>
/// <param name="GrantedTtlSeconds">TTL given at grant.</param>
/// <param name="RemainingTtlSeconds">Remaining TTL as of the last checkpoint (the granted TTL until the first one).</param>
/// <param name="Keys">Attached keys in ordinal order (empty unless asked for).</param>
public sealed record LeaseInfo(LeaseId Id, long GrantedTtlSeconds, long RemainingTtlSeconds, IReadOnlyList<ReadOnlyMemory<byte>> Keys);
