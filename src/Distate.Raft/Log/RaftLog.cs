namespace Distate.Raft.Log;

/// <summary>
/// The node's view of the log: the host's persisted entries (through <see cref="IRaftLogStorage"/>) followed by
/// unstable entries the core has accepted but the host has not yet persisted.
/// </summary>
/// <remarks>
/// Invariant: Applied ≤ Committed ≤ LastIndex. Committed never decreases.
/// </remarks>
internal sealed class RaftLog
{
    private readonly IRaftLogStorage _storage;

    /// <summary>Creates the view over storage, continuing after what it holds.</summary>
    public RaftLog(IRaftLogStorage storage)
    {
        _storage = storage;
        var first = storage.FirstIndex();
        var last = storage.LastIndex();
        Invariant.Check(first.Value >= 1, "storage first index must be at least 1");
        Invariant.Check(last.Value + 1 >= first.Value, "storage last index before first index - 1");
        Unstable = new UnstableLog(last.Next);
        Committed = first.Previous;
        Applied = first.Previous;
    }

    /// <summary>Entries and snapshot not yet persisted.</summary>
    public UnstableLog Unstable { get; }

    /// <summary>The highest index known committed.</summary>
    public LogIndex Committed { get; private set; }

    /// <summary>The highest index the host has applied.</summary>
    public LogIndex Applied { get; private set; }

    /// <summary>The first index still available as an entry.</summary>
    public LogIndex FirstIndex => Unstable.TryFirstIndex(out var index) ? index : _storage.FirstIndex();

    /// <summary>The last index, persisted or not.</summary>
    public LogIndex LastIndex => Unstable.TryLastIndex(out var index) ? index : _storage.LastIndex();

    /// <summary>The last index the host has persisted (conservatively zero while a snapshot is pending).</summary>
    public LogIndex StableLastIndex =>
        Unstable.Snapshot is not null ? LogIndex.Zero : Unstable.Offset.Previous;

    /// <summary>The term of the last entry.</summary>
    public Term LastTerm => TryTerm(LastIndex, out var term) ? term : Invariant.Fail<Term>("last term must be readable");

    /// <summary>The term at index, if that index is in [FirstIndex - 1, LastIndex].</summary>
    public bool TryTerm(LogIndex index, out Term term)
    {
        term = Term.Zero;
        var dummy = FirstIndex.Previous;
        if (index < dummy || index > LastIndex)
        {
            return false;
        }

        if (Unstable.TryTerm(index, out term))
        {
            return true;
        }

        try
        {
            term = _storage.TermAt(index);
            return true;
        }
        catch (LogCompactedException)
        {
            // Compacted by the host between our bounds check and the read: the caller falls back to a snapshot.
            return false;
        }
    }

    /// <summary>The term at index, or zero when unknown (compacted or beyond the end).</summary>
    public Term TermOrZero(LogIndex index) => TryTerm(index, out var term) ? term : Term.Zero;

    /// <summary>True when the log holds an entry at index with the given term.</summary>
    public bool MatchTerm(LogIndex index, Term term) => TryTerm(index, out var found) && found == term;

    /// <summary>
    /// Raft's "is the candidate's log at least as up to date as ours" (§5.4.1): a higher last term wins,
    /// an equal last term needs an index at least as high.
    /// </summary>
    public bool IsUpToDate(LogIndex lastIndex, Term lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// Follower append (§5.3): if our entry at index has logTerm, append the entries (replacing a conflicting
    /// suffix), raise commit to min(commit, last new index) and return true with the last new index.
    /// </summary>
    public bool TryAppend(LogIndex index, Term logTerm, LogIndex commit, Entry[] entries, out LogIndex lastNewIndex)
    {
        lastNewIndex = index + (ulong)entries.Length;
        if (!MatchTerm(index, logTerm))
        {
            return false;
        }

        var conflict = FindConflict(entries);
        if (conflict >= 0)
        {
            Invariant.Check(entries[conflict].Index > Committed, "a conflicting entry must never be at or below commit");
            Append(entries, conflict);
        }

        CommitTo(LogIndex.Min(commit, lastNewIndex));
        return true;
    }

    /// <summary>Appends entries from position <paramref name="start"/> and returns the new last index.</summary>
    public LogIndex Append(IReadOnlyList<Entry> entries, int start = 0)
    {
        if (entries.Count <= start)
        {
            return LastIndex;
        }

        Invariant.Check(entries[start].Index > Committed, "append must not rewrite committed entries");
        Invariant.Check(entries[start].Index <= LastIndex.Next, "append must not leave a gap");
        Unstable.TruncateAndAppend(entries, start);
        return LastIndex;
    }

    /// <summary>The position of the first entry that is new or conflicts with the log, or -1 if all match.</summary>
    public int FindConflict(Entry[] entries)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (!MatchTerm(entries[i].Index, entries[i].Term))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The largest index ≤ <paramref name="index"/> whose term is ≤ <paramref name="term"/>, and its term: the
    /// fast back-off used on rejected appends (any index above it cannot match a log whose entry there has term).
    /// </summary>
    public (LogIndex Index, Term Term) FindConflictByTerm(LogIndex index, Term term)
    {
        while (true)
        {
            if (!TryTerm(index, out var found))
            {
                return (index, Term.Zero);
            }

            if (found <= term)
            {
                return (index, found);
            }

            if (index == LogIndex.Zero)
            {
                return (index, found);
            }

            index = index.Previous;
        }
    }

    /// <summary>Raises the commit index (never lowers it).</summary>
    public void CommitTo(LogIndex index)
    {
        if (index <= Committed)
        {
            return;
        }

        Invariant.Check(index <= LastIndex, "commit beyond the last index");
        Committed = index;
    }

    /// <summary>Leader commit rule (§5.4.2): commit index only if its entry is of the current term.</summary>
    public bool MaybeCommit(LogIndex index, Term currentTerm)
    {
        if (index > Committed && TermOrZero(index) == currentTerm)
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    /// <summary>Records that the host applied up to index.</summary>
    public void AppliedTo(LogIndex index)
    {
        if (index <= Applied)
        {
            return;
        }

        Invariant.Check(index <= Committed, "applied beyond commit");
        Applied = index;
    }

    /// <summary>Records that the host persisted entries up to index with term.</summary>
    public void StableTo(LogIndex index, Term term) => Unstable.StableTo(index, term);

    /// <summary>Records that the host persisted the pending snapshot.</summary>
    public void StableSnapshotTo(LogIndex index) => Unstable.StableSnapshotTo(index);

    /// <summary>True when committed entries wait to be applied.</summary>
    public bool HasNextCommittedEntries => Committed > LogIndex.Max(Applied, FirstIndex.Previous);

    /// <summary>The committed entries not yet applied, at most maxBytes (but at least one).</summary>
    public IReadOnlyList<Entry> NextCommittedEntries(long maxBytes)
    {
        var low = LogIndex.Max(Applied.Next, FirstIndex);
        if (Committed < low)
        {
            return [];
        }

        return Slice(low, Committed.Next, maxBytes);
    }

    /// <summary>Entries in [low, high) limited to maxBytes (at least one), or null if low was compacted.</summary>
    public List<Entry>? TrySlice(LogIndex low, LogIndex high, long maxBytes)
    {
        Invariant.Check(low <= high, "slice range is inverted");
        if (low < FirstIndex)
        {
            return null;
        }

        Invariant.Check(high <= LastIndex.Next, "slice beyond the last index");
        var result = new List<Entry>();
        if (low == high)
        {
            return result;
        }

        long bytes = 0;
        if (low < Unstable.Offset)
        {
            var storedHigh = LogIndex.Min(high, Unstable.Offset);
            IReadOnlyList<Entry> stored;
            try
            {
                stored = _storage.Entries(low, storedHigh, maxBytes);
            }
            catch (LogCompactedException)
            {
                return null;
            }

            foreach (var entry in stored)
            {
                bytes += entry.SizeBytes;
                result.Add(entry);
            }

            if (stored.Count < (int)(storedHigh - low))
            {
                return result;
            }
        }

        if (high > Unstable.Offset)
        {
            Unstable.CopyTo(LogIndex.Max(low, Unstable.Offset), high, result, maxBytes, ref bytes);
        }

        return result;
    }

    /// <summary>Entries in [low, high); the range must be available.</summary>
    public List<Entry> Slice(LogIndex low, LogIndex high, long maxBytes) =>
        TrySlice(low, high, maxBytes) ?? Invariant.Fail<List<Entry>>("slice of compacted entries");

    /// <summary>The snapshot to send a lagging follower: the pending one, else the host's latest.</summary>
    public Snapshot CurrentSnapshot() => Unstable.Snapshot ?? _storage.LatestSnapshot();

    /// <summary>Replaces the log with a snapshot received from the leader.</summary>
    public void Restore(Snapshot snapshot)
    {
        Invariant.Check(snapshot.Metadata.Index > Committed, "restoring a snapshot at or below commit");
        Committed = snapshot.Metadata.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>Sets commit and applied from persisted state on start.</summary>
    public void Initialize(LogIndex commit, LogIndex applied)
    {
        Invariant.Check(commit <= LastIndex, "persisted commit beyond the persisted log");
        Invariant.Check(applied <= LogIndex.Max(commit, FirstIndex.Previous), "applied beyond commit");
        Committed = LogIndex.Max(commit, Committed);
        Applied = LogIndex.Max(applied, FirstIndex.Previous);
    }
}
