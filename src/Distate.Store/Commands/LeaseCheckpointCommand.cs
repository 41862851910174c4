namespace Distate.Store.Commands;

/// <summary>Records remaining TTLs so a new leader continues each countdown instead of restarting it; also used for keep-alive.</summary>
/// <param name="Checkpoints">The leases and their remaining TTLs; unknown ids are ignored.</param>
public sealed record LeaseCheckpointCommand(IReadOnlyList<LeaseCheckpoint> Checkpoints) : StoreCommand;
