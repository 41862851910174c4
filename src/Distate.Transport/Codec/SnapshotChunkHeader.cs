namespace Distate.Transport.Codec;

/// <summary>
/// Where one chunk frame's data sits in its snapshot. Invariant (checked by <see cref="SnapshotChunkCodec"/> on both
/// ends): SnapshotId &gt; 0, 0 &lt;= Offset, Offset + DataBytes &lt;= TotalBytes, and DataBytes &gt; 0 unless TotalBytes is 0.
/// </summary>
/// <param name="SnapshotId">The sender's number for the Snapshot message, the same in all its chunks and increasing from one snapshot to the next on a connection.</param>
/// <param name="Offset">Bytes of snapshot data before this chunk's; 0 marks the first chunk, which also carries the envelope.</param>
/// <param name="TotalBytes">Length of the whole snapshot data, the same in every chunk.</param>
/// <param name="DataBytes">Snapshot data bytes in this chunk.</param>
internal readonly record struct SnapshotChunkHeader(ulong SnapshotId, long Offset, long TotalBytes, int DataBytes)
{
    /// <summary>True for the chunk that opens a snapshot and carries its envelope.</summary>
    public bool IsFirst => Offset == 0;

    /// <summary>True for the chunk that completes the snapshot's data.</summary>
    public bool IsLast => Offset + DataBytes == TotalBytes;
}
