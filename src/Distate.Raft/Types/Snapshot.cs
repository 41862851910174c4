namespace Distate.Raft;

/// <summary>A state-machine image replacing the log up to <see cref="SnapshotMetadata.Index"/>.</summary>
/// <param name="Metadata">Position and membership.</param>
/// <param name="Data">The host's serialized state machine; opaque to Raft.</param>
public sealed record Snapshot(SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data)
{
    /// <summary>No snapshot.</summary>
    public static readonly Snapshot Empty = new(SnapshotMetadata.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>True when this is "no snapshot".</summary>
    public bool IsEmpty => Metadata.Index == LogIndex.Zero;
}
