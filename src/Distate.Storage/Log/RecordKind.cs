namespace Distate.Storage.Log;

/// <summary>What a log record carries; the byte is part of the on-disk format and must never be renumbered.</summary>
internal enum RecordKind : byte
{
    /// <summary>Entries starting at a first index (replacing any suffix from there) and/or a hard state.</summary>
    Batch = 1,

    /// <summary>A snapshot the host created; its data lives in a snapshot file.</summary>
    Snapshot = 2,

    /// <summary>A new log base (compaction or received snapshot): replay starts from it.</summary>
    Base = 3,

    /// <summary>Marks an earlier torn record as intentionally abandoned, so later recoveries skip it.</summary>
    Discard = 4,
}
