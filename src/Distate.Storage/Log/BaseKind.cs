namespace Distate.Storage.Log;

/// <summary>Why the log base moved; part of the on-disk format.</summary>
internal enum BaseKind : byte
{
    /// <summary>The head of the log was compacted: entries up to the base index were dropped.</summary>
    Compacted = 1,

    /// <summary>A snapshot replaced the whole log.</summary>
    SnapshotApplied = 2,
}
