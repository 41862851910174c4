namespace Distate.Store.Snapshot;

/// <summary>Constants of the snapshot stream format (described in docs/store.md).</summary>
internal static class SnapshotFormat
{
    /// <summary>First bytes of every snapshot.</summary>
    public static ReadOnlySpan<byte> Magic => "DSTSNAP\0"u8;

    /// <summary>The format version written after the magic: 2 adds the alarm table after the leases.</summary>
    public const byte Version = 2;

    /// <summary>The oldest format version still read (no alarm table: restored with none raised).</summary>
    public const byte OldestReadableVersion = 1;

    /// <summary>The first version that carries the alarm table.</summary>
    public const byte AlarmsSinceVersion = 2;

    /// <summary>Size of the I/O buffer used when writing and reading: the only memory a snapshot needs beyond the state itself.</summary>
    public const int BufferBytes = 64 * 1024;

    /// <summary>Entry flag: the version is a tombstone and has no value.</summary>
    public const byte TombstoneFlag = 1;
}
