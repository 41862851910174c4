using FASTER.core;

namespace Distate.Storage;

/// <summary>Where and how the durable Raft log is kept; every limit is a named setting checked by <see cref="Validate"/>.</summary>
public sealed class StorageOptions
{
    /// <summary>Directory holding the log segments, commit metadata and snapshot files; created if missing.</summary>
    public required string Directory { get; init; }

    /// <summary>Log page size as a power of two; one log record (one persisted batch chunk) must fit in a page.</summary>
    public int PageSizeBits { get; init; } = 22;

    /// <summary>In-memory log buffer as a power of two; at least two pages.</summary>
    public int MemorySizeBits { get; init; } = 24;

    /// <summary>Log segment file size as a power of two; head truncation frees whole segments.</summary>
    public int SegmentSizeBits { get; init; } = 28;

    /// <summary>Largest payload of a single entry in bytes.</summary>
    public int MaxEntryBytes { get; init; } = 1 << 20;

    /// <summary>Largest snapshot payload in bytes.</summary>
    public long MaxSnapshotBytes { get; init; } = 1L << 30;

    /// <summary>Test hook: builds the FASTER device for a log file path instead of the default local file device.</summary>
    public Func<string, IDevice>? DeviceFactory { get; init; }

    /// <summary>Test hook: makes a directory's entries durable (default: fsync of the directory); tests count calls.</summary>
    internal Action<string>? DirectorySyncHook { get; init; }

    /// <summary>Test hook: where FASTER's commit metadata lives (default: files in <see cref="CommitDirectory"/>).</summary>
    internal Func<string, Io.ICommitMetadataStore>? CommitStoreFactory { get; init; }

    /// <summary>Makes a directory's entries durable.</summary>
    internal Action<string> SyncDirectory => DirectorySyncHook ?? Io.DirectorySync.Flush;

    /// <summary>Largest encoded record in bytes: a page minus FASTER's record header and slack.</summary>
    internal int MaxRecordBytes => (1 << PageSizeBits) - 64;

    /// <summary>Directory holding FASTER's segments and commit metadata.</summary>
    internal string LogDirectory => Path.Combine(Directory, "log");

    /// <summary>Directory holding FASTER's commit metadata blobs.</summary>
    internal string CommitDirectory => Path.Combine(LogDirectory, "commits");

    /// <summary>Directory holding snapshot files.</summary>
    internal string SnapshotDirectory => Path.Combine(Directory, "snapshots");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("StorageOptions.Directory must name a directory");
        }

        Require(PageSizeBits is >= 12 and <= 28, nameof(PageSizeBits), "must be in [12, 28]");
        Require(MemorySizeBits >= PageSizeBits + 1 && MemorySizeBits <= 34, nameof(MemorySizeBits), "must be at least PageSizeBits + 1 and at most 34");
        Require(SegmentSizeBits >= PageSizeBits && SegmentSizeBits <= 40, nameof(SegmentSizeBits), "must be at least PageSizeBits and at most 40");
        Require(MaxEntryBytes > 0 && MaxEntryBytes + RecordCodecLimits.EntryOverheadBytes + RecordCodecLimits.HeaderBytes <= MaxRecordBytes,
            nameof(MaxEntryBytes), "must be positive and fit in one log page (raise PageSizeBits)");
        Require(MaxSnapshotBytes is > 0 and <= int.MaxValue, nameof(MaxSnapshotBytes), "must be in (0, 2^31)");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"StorageOptions.{name} {rule}");
        }
    }
}
