namespace Distate.Raft.Log;

/// <summary>
/// Entries (and possibly a snapshot) the core holds that the host has not yet persisted.
/// </summary>
/// <remarks>
/// Invariant: _entries[i].Index == Offset + i. If a snapshot is pending, Offset == snapshot index + 1.
/// </remarks>
internal sealed class UnstableLog
{
    private readonly List<Entry> _entries = [];

    /// <summary>Creates an unstable log whose first entry will have index <paramref name="offset"/>.</summary>
    public UnstableLog(LogIndex offset) => Offset = offset;

    /// <summary>The index the first unstable entry has (or would have).</summary>
    public LogIndex Offset { get; private set; }

    /// <summary>A received snapshot not yet persisted, or null.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>The unstable entries, oldest first.</summary>
    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>The first log index implied by a pending snapshot, if any.</summary>
    public bool TryFirstIndex(out LogIndex index)
    {
        index = Snapshot is null ? LogIndex.Zero : Snapshot.Metadata.Index.Next;
        return Snapshot is not null;
    }

    /// <summary>The last index held here: the last unstable entry, else the pending snapshot's index.</summary>
    public bool TryLastIndex(out LogIndex index)
    {
        if (_entries.Count > 0)
        {
            index = Offset + (ulong)(_entries.Count - 1);
            return true;
        }

        index = Snapshot is null ? LogIndex.Zero : Snapshot.Metadata.Index;
        return Snapshot is not null;
    }

    /// <summary>The term at index if this unstable log knows it.</summary>
    public bool TryTerm(LogIndex index, out Term term)
    {
        term = Term.Zero;
        if (index < Offset)
        {
            if (Snapshot is not null && Snapshot.Metadata.Index == index)
            {
                term = Snapshot.Metadata.Term;
                return true;
            }

            return false;
        }

        if (!TryLastIndex(out var last) || index > last)
        {
            return false;
        }

        term = _entries[(int)(index - Offset)].Term;
        return true;
    }

    /// <summary>Marks entries up to index (with the given term) as persisted, dropping them from here.</summary>
    public void StableTo(LogIndex index, Term term)
    {
        if (!TryTerm(index, out var found) || found != term || index < Offset)
        {
            // The entries were replaced by a newer append (or a snapshot) after the host took them: keep them.
            return;
        }

        var count = (int)(index - Offset) + 1;
        Invariant.Check(count <= _entries.Count, "stable range beyond unstable entries");
        _entries.RemoveRange(0, count);
        Offset = index.Next;
    }

    /// <summary>Marks the pending snapshot as persisted.</summary>
    public void StableSnapshotTo(LogIndex index)
    {
        if (Snapshot is not null && Snapshot.Metadata.Index == index)
        {
            Snapshot = null;
        }
    }

    /// <summary>Replaces everything with a snapshot received from the leader.</summary>
    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Metadata.Index.Next;
        _entries.Clear();
        Snapshot = snapshot;
    }

    /// <summary>Appends entries, first truncating any unstable entries at or after the first new index.</summary>
    public void TruncateAndAppend(IReadOnlyList<Entry> entries, int start)
    {
        var after = entries[start].Index;
        var end = Offset + (ulong)_entries.Count;
        if (after == end)
        {
            // Plain append.
        }
        else if (after <= Offset)
        {
            // Replaces every unstable entry: the log is now rewritten from `after`.
            Offset = after;
            _entries.Clear();
        }
        else
        {
            Invariant.Check(after < end, "truncate point must lie inside the unstable entries");
            _entries.RemoveRange((int)(after - Offset), (int)(end - after));
        }

        for (var i = start; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }

        Invariant.Check(_entries.Count == 0 || _entries[^1].Index == Offset + (ulong)(_entries.Count - 1), "unstable entries must be contiguous");
    }

    /// <summary>Copies entries in [low, high) into <paramref name="into"/>.</summary>
    public void CopyTo(LogIndex low, LogIndex high, List<Entry> into, long maxBytes, ref long bytes)
    {
        Invariant.Check(low >= Offset, "unstable slice below offset");
        Invariant.Check(high <= Offset + (ulong)_entries.Count, "unstable slice beyond last entry");
        for (var i = low; i < high; i = i.Next)
        {
            var entry = _entries[(int)(i - Offset)];
            bytes += entry.SizeBytes;
            if (into.Count > 0 && bytes > maxBytes)
            {
                return;
            }

            into.Add(entry);
        }
    }
}
