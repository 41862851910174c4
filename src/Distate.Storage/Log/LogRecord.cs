using Distate.Raft;

namespace Distate.Storage.Log;

/// <summary>One decoded log record; which fields are meaningful depends on <see cref="Kind"/>.</summary>
internal sealed class LogRecord
{
    /// <summary>What the record carries.</summary>
    public required RecordKind Kind { get; init; }

    /// <summary>The hard state persisted with this record, if any (always set on Base records).</summary>
    public HardState? HardState { get; init; }

    /// <summary>Batch: the entries, contiguous; the first one replaces the log from its index on.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>Snapshot and Base: the latest snapshot as of this record.</summary>
    public SnapshotReference? Snapshot { get; init; }

    /// <summary>Base: why the base moved.</summary>
    public BaseKind BaseKind { get; init; }

    /// <summary>Base: the last index covered by the base (FirstIndex - 1).</summary>
    public LogIndex BaseIndex { get; init; }

    /// <summary>Base: the term at the base index.</summary>
    public Term BaseTerm { get; init; }

    /// <summary>Base: the log address replay starts from, or <see cref="ReplayFromSelf"/> for this record's own address.</summary>
    public long ReplayFrom { get; init; }

    /// <summary>Discard: the address of the torn record abandoned.</summary>
    public long DiscardedAddress { get; init; }

    /// <summary>Marker for <see cref="ReplayFrom"/>: replay starts at the Base record itself.</summary>
    public const long ReplayFromSelf = -1;
}
