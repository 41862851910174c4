using Distate.Raft;
using Distate.Storage.Log;

namespace Distate.Storage.Snapshots;

/// <summary>
/// A snapshot whose data file is written and flushed but not yet recorded in the log (see
/// <see cref="FasterRaftStorage.StageSnapshot"/>); until <see cref="FasterRaftStorage.CommitSnapshotAsync"/> records it,
/// recovery ignores the file.
/// </summary>
public sealed class StagedSnapshot
{
    internal StagedSnapshot(SnapshotReference reference, ReadOnlyMemory<byte> data)
    {
        Reference = reference;
        Data = data;
    }

    /// <summary>Index, term and membership the snapshot covers.</summary>
    public SnapshotMetadata Metadata => Reference.Metadata;

    internal SnapshotReference Reference { get; }

    /// <summary>The state machine bytes (owned by storage from staging on; the caller must not change them).</summary>
    internal ReadOnlyMemory<byte> Data { get; }
}
