namespace Distate.Store.Snapshot;

/// <summary>Constants of the snapshot stream format (described in docs/store.md).</summary>
internal static class SnapshotFormat
{
    /// <summary>First bytes of every snapshot.</summary>
    public static ReadOnlySpan<byte> Magic => "DSTSNAP\0"u8;

    /// <summary>The format version after the magic.</summary>
    public const byte Version = 1;

    /// <summary>Size of the I/O buffer used when writing and reading: the only memory a snapshot needs beyond the state itself.</summary>
    public const int BufferBytes = 64 * 1024;

    /// <summary>Entry flag: the version is a tombstone and has no value.</summary>
    public const byte TombstoneFlag = 1;
}
