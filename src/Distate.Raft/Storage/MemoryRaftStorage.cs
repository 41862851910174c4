namespace Distate.Raft;

/// <summary>
/// An in-memory <see cref="IRaftLogStorage"/> with the write side a host needs: used by tests, the simulator and
/// benchmarks, and as the reference the durable storage is compared with. Not thread-safe.
/// </summary>
/// <remarks>Invariant: _entries[0] is a dummy at the snapshot index carrying the snapshot's term.</remarks>
public sealed class MemoryRaftStorage : IRaftLogStorage
{
    private readonly List<Entry> _entries = [new Entry(LogIndex.Zero, Term.Zero, EntryType.Normal, default)];
    private HardState _hardState = HardState.Empty;
    private Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Creates an empty storage with no members.</summary>
    public MemoryRaftStorage() { }

    /// <summary>
    /// Creates storage whose membership is fixed at <paramref name="bootstrap"/> by an index-0 snapshot. Suits
    /// clusters that never add members (tests); a cluster that may grow must use <see cref="ForNewCluster"/>.
    /// </summary>
    public MemoryRaftStorage(ConfState bootstrap)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        _snapshot = new Snapshot(new SnapshotMetadata(LogIndex.Zero, Term.Zero, bootstrap), default);
    }

    /// <summary>
    /// Creates storage for a founding member of a new cluster: the founding membership is written into the log as
    /// committed AddVoter entries at indexes 1..n in term 1, exactly alike on every founder, so that members added
    /// later learn the whole membership by replaying the log from index 1 (the index-0 snapshot carries none).
    /// </summary>
    public static MemoryRaftStorage ForNewCluster(ConfState founders)
    {
        ArgumentNullException.ThrowIfNull(founders);
        var storage = new MemoryRaftStorage();
        var entries = BootstrapEntries(founders);
        storage.Append(entries);
        storage.SetHardState(new HardState(new Term(1), NodeId.None, entries[^1].Index));
        return storage;
    }

    /// <summary>The log entries that found a cluster: one committed AddVoter (or AddLearner) per member, term 1.</summary>
    public static Entry[] BootstrapEntries(ConfState founders)
    {
        ArgumentNullException.ThrowIfNull(founders);
        Invariant.Check(founders.Voters.Length > 0, "a new cluster needs at least one voter");
        var entries = new List<Entry>();
        foreach (var voter in founders.Voters)
        {
            var change = new ConfChange(ConfChangeType.AddVoter, voter);
            entries.Add(new Entry(new LogIndex((ulong)entries.Count + 1), new Term(1), EntryType.ConfChange, change.Encode()));
        }

        foreach (var learner in founders.Learners)
        {
            var change = new ConfChange(ConfChangeType.AddLearner, learner);
            entries.Add(new Entry(new LogIndex((ulong)entries.Count + 1), new Term(1), EntryType.ConfChange, change.Encode()));
        }

        return [.. entries];
    }

    /// <summary>The persisted hard state.</summary>
    public HardState HardState => _hardState;

    /// <summary>Number of entries held (excluding the snapshot).</summary>
    public int Count => _entries.Count - 1;

    /// <inheritdoc />
    public (HardState HardState, ConfState ConfState) InitialState() => (_hardState, _snapshot.Metadata.ConfState);

    /// <summary>Persists the hard state.</summary>
    public void SetHardState(HardState state) => _hardState = state;

    /// <inheritdoc />
    public LogIndex FirstIndex() => _entries[0].Index.Next;

    /// <inheritdoc />
    public LogIndex LastIndex() => _entries[0].Index + (ulong)(_entries.Count - 1);

    /// <inheritdoc />
    public Snapshot LatestSnapshot() => _snapshot;

    /// <inheritdoc />
    public Term TermAt(LogIndex index)
    {
        var offset = _entries[0].Index;
        if (index < offset)
        {
            throw new LogCompactedException();
        }

        if (index - offset >= (ulong)_entries.Count)
        {
            throw new LogUnavailableException();
        }

        return _entries[(int)(index - offset)].Term;
    }

    /// <inheritdoc />
    public IReadOnlyList<Entry> Entries(LogIndex low, LogIndex high, long maxBytes)
    {
        Invariant.Check(low <= high, "entries range is inverted");
        var offset = _entries[0].Index;
        if (low <= offset)
        {
            throw new LogCompactedException();
        }

        if (high > LastIndex().Next)
        {
            throw new LogUnavailableException($"entries [{low}, {high}) beyond last index {LastIndex()}");
        }

        var start = (int)(low - offset);
        var count = (int)(high - low);
        return _entries.GetRange(start, EntrySlices.CountWithin(_entries, start, count, maxBytes));
    }

    /// <summary>
    /// Appends entries; entries overlapping the current log replace the conflicting suffix (a follower's log
    /// diverged from the leader's). Entries already compacted are ignored.
    /// </summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var first = FirstIndex();
        var skip = 0;
        while (skip < entries.Count && entries[skip].Index < first)
        {
            skip++;
        }

        if (skip == entries.Count)
        {
            return;
        }

        var start = entries[skip].Index;
        Invariant.Check(start <= LastIndex().Next, "append would leave a gap in the log");
        var keep = (int)(start - _entries[0].Index);
        if (keep < _entries.Count)
        {
            _entries.RemoveRange(keep, _entries.Count - keep);
        }

        for (var i = skip; i < entries.Count; i++)
        {
            Invariant.Check(entries[i].Index == LastIndex().Next, "appended entries must be contiguous");
            _entries.Add(entries[i]);
        }
    }

    /// <summary>Replaces the whole log with a received snapshot.</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Invariant.Check(snapshot.Metadata.Index >= _snapshot.Metadata.Index, "snapshot must not go backwards");
        _snapshot = snapshot;
        _entries.Clear();
        _entries.Add(new Entry(snapshot.Metadata.Index, snapshot.Metadata.Term, EntryType.Normal, default));
    }

    /// <summary>Records a snapshot the host took of its state machine at <paramref name="index"/> (≤ applied).</summary>
    public Snapshot CreateSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(confState);
        Invariant.Check(index >= _snapshot.Metadata.Index, "snapshot must not go backwards");
        Invariant.Check(index <= LastIndex(), "snapshot beyond the last index");
        _snapshot = new Snapshot(new SnapshotMetadata(index, TermAt(index), confState), data);
        return _snapshot;
    }

    /// <summary>Drops entries up to and including <paramref name="index"/>, which a snapshot must cover.</summary>
    public void Compact(LogIndex index)
    {
        var offset = _entries[0].Index;
        if (index <= offset)
        {
            return;
        }

        Invariant.Check(index <= LastIndex(), "compaction beyond the last index");
        var drop = (int)(index - offset);
        var term = _entries[drop].Term;
        _entries.RemoveRange(0, drop);
        _entries[0] = new Entry(index, term, EntryType.Normal, default);
    }
}
