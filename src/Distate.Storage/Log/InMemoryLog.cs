using Distate.Raft;

namespace Distate.Storage.Log;

/// <summary>
/// The in-memory image of the durable log: every live entry with the address of the record that holds it, the
/// hard state and the latest snapshot. Mutations mirror <see cref="MemoryRaftStorage"/> exactly; recovery rebuilds
/// this image by replaying records. Not thread-safe: the owner locks.
/// </summary>
/// <remarks>
/// Invariant: _entries[i].Index == BaseIndex + 1 + i, and _addresses is non-decreasing (a live entry's record was
/// written no earlier than the live entry before it).
/// </remarks>
internal sealed class InMemoryLog
{
    private readonly List<Entry> _entries = [];
    private readonly List<long> _addresses = [];

    /// <summary>Creates an image whose log starts after <paramref name="baseIndex"/> (term <paramref name="baseTerm"/>).</summary>
    public InMemoryLog(LogIndex baseIndex, Term baseTerm)
    {
        BaseIndex = baseIndex;
        BaseTerm = baseTerm;
    }

    /// <summary>The index before the first held entry (the snapshot or compaction point).</summary>
    public LogIndex BaseIndex { get; private set; }

    /// <summary>The term at <see cref="BaseIndex"/>.</summary>
    public Term BaseTerm { get; private set; }

    /// <summary>The latest persisted hard state.</summary>
    public HardState HardState { get; set; } = HardState.Empty;

    /// <summary>The latest snapshot's reference (metadata, checksum, length).</summary>
    public SnapshotReference Snapshot { get; set; } = new(SnapshotMetadata.Empty, 0, 0);

    /// <summary>The first index held.</summary>
    public LogIndex FirstIndex => BaseIndex.Next;

    /// <summary>The last index held (the base when empty).</summary>
    public LogIndex LastIndex => BaseIndex + (ulong)_entries.Count;

    /// <summary>Number of entries held.</summary>
    public int Count => _entries.Count;

    /// <summary>The entry at a held index.</summary>
    public Entry EntryAt(LogIndex index) => _entries[Offset(index)];

    /// <summary>The address of the record holding the entry at a held index.</summary>
    public long AddressOf(LogIndex index) => _addresses[Offset(index)];

    /// <summary>The term at index, for index in [BaseIndex, LastIndex]; throws the Raft range exceptions outside it.</summary>
    public Term TermAt(LogIndex index)
    {
        if (index < BaseIndex)
        {
            throw new LogCompactedException($"index {index} is compacted (first index {FirstIndex})");
        }

        if (index > LastIndex)
        {
            throw new LogUnavailableException($"index {index} is beyond the last index {LastIndex}");
        }

        return index == BaseIndex ? BaseTerm : _entries[Offset(index)].Term;
    }

    /// <summary>Entries in [low, high) up to maxBytes beyond the first, with the same rules as MemoryRaftStorage.</summary>
    public List<Entry> Range(LogIndex low, LogIndex high, long maxBytes)
    {
        Invariant.Check(low <= high, "entries range is inverted");
        if (low <= BaseIndex)
        {
            throw new LogCompactedException($"entries from {low} are compacted (first index {FirstIndex})");
        }

        if (high > LastIndex.Next)
        {
            throw new LogUnavailableException($"entries [{low}, {high}) beyond last index {LastIndex}");
        }

        var start = Offset(low);
        var count = (int)(high - low);
        return _entries.GetRange(start, EntrySlices.CountWithin(_entries, start, count, maxBytes));
    }

    /// <summary>The entries not yet compacted, skipping those at or below the base; empty when all are.</summary>
    public int FirstLiveOffset(IReadOnlyList<Entry> entries)
    {
        var skip = 0;
        while (skip < entries.Count && entries[skip].Index <= BaseIndex)
        {
            skip++;
        }

        return skip;
    }

    /// <summary>Appends entries[skip..] held by the record at <paramref name="address"/>, replacing any suffix they overlap.</summary>
    public void Append(IReadOnlyList<Entry> entries, int skip, long address)
    {
        if (skip >= entries.Count)
        {
            return;
        }

        var start = entries[skip].Index;
        Invariant.Check(start > BaseIndex, "appended entries must be above the base");
        Invariant.Check(start <= LastIndex.Next, "append would leave a gap in the log");
        var keep = Offset(start);
        if (keep < _entries.Count)
        {
            _entries.RemoveRange(keep, _entries.Count - keep);
            _addresses.RemoveRange(keep, _addresses.Count - keep);
        }

        for (var i = skip; i < entries.Count; i++)
        {
            Invariant.Check(entries[i].Index == LastIndex.Next, "appended entries must be contiguous");
            _entries.Add(entries[i]);
            _addresses.Add(address);
        }
    }

    /// <summary>Drops entries up to and including <paramref name="index"/> (which must be held).</summary>
    public void Compact(LogIndex index)
    {
        Invariant.Check(index > BaseIndex, "compaction must move the base forward");
        Invariant.Check(index <= LastIndex, "compaction beyond the last index");
        var term = TermAt(index);
        var drop = (int)(index - BaseIndex);
        _entries.RemoveRange(0, drop);
        _addresses.RemoveRange(0, drop);
        BaseIndex = index;
        BaseTerm = term;
    }

    /// <summary>Discards every entry and moves the base to a received snapshot's position.</summary>
    public void ResetTo(LogIndex baseIndex, Term baseTerm)
    {
        _entries.Clear();
        _addresses.Clear();
        BaseIndex = baseIndex;
        BaseTerm = baseTerm;
    }

    /// <summary>Checks the whole structure: contiguous indexes and non-decreasing record addresses.</summary>
    public void AssertInvariants()
    {
        Invariant.Check(_entries.Count == _addresses.Count, "every entry has a record address");
        for (var i = 0; i < _entries.Count; i++)
        {
            Invariant.Check(_entries[i].Index == BaseIndex + (ulong)(i + 1), "entries are contiguous from the base");
            Invariant.Check(i == 0 || _addresses[i] >= _addresses[i - 1], "record addresses never decrease along the log");
        }
    }

    private int Offset(LogIndex index) => (int)(index - BaseIndex) - 1;
}
