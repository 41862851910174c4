namespace Distate.Store.Commands;

/// <summary>Discards history older than a revision (etcd CompactionRequest); reads at the revision itself stay valid.</summary>
/// <param name="Revision">The revision to compact to.</param>
public sealed record CompactCommand(Revision Revision) : StoreCommand;
