namespace Distate.Store.Commands;

/// <summary>Creates a lease; id 0 lets the store choose one deterministically.</summary>
/// <param name="Id">Client-chosen id, or none.</param>
/// <param name="TtlSeconds">Requested TTL in seconds.</param>
public sealed record LeaseGrantCommand(LeaseId Id, long TtlSeconds) : StoreCommand;
