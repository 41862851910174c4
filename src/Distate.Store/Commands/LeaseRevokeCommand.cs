namespace Distate.Store.Commands;

/// <summary>Deletes a lease and, in one revision, every key attached to it; the leader also proposes it on expiry.</summary>
/// <param name="Id">The lease to revoke.</param>
public sealed record LeaseRevokeCommand(LeaseId Id) : StoreCommand;
