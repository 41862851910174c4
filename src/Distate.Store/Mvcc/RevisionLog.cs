namespace Distate.Store.Mvcc;

/// <summary>Every stored key version in (main, sub) revision order: the source for watch replay, HashKV and snapshots.
/// Invariant: strictly increasing (ModMain, ModSub); entries at or below the compact revision are only the versions compaction kept.</summary>
internal sealed class RevisionLog
{
    private List<KeyVersion> _entries = [];

    /// <summary>Number of stored versions.</summary>
    public int Count => _entries.Count;

    /// <summary>The entry at a position.</summary>
    public KeyVersion this[int index] => _entries[index];

    /// <summary>Appends a new version; it must be newer than the last.</summary>
    public void Append(KeyVersion version)
    {
        if (_entries.Count > 0)
        {
            KeyVersion last = _entries[^1];
            Invariant.Check(
                last.ModMain < version.ModMain || (last.ModMain == version.ModMain && last.ModSub < version.ModSub),
                "revision log grows in revision order");
        }

        _entries.Add(version);
    }

    /// <summary>Position of the first entry with ModMain at or above the revision (Count when none).</summary>
    public int FirstAtOrAfter(long revision)
    {
        int low = 0;
        int high = _entries.Count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (_entries[middle].ModMain < revision)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Replaces entries at or below the revision with the kept ones (sorted here).</summary>
    public void Compact(long revision, List<KeyVersion> kept)
    {
        kept.Sort(static (a, b) => a.ModMain != b.ModMain ? a.ModMain.CompareTo(b.ModMain) : a.ModSub.CompareTo(b.ModSub));
        int firstNewer = FirstAtOrAfter(revision + 1);
        var rebuilt = new List<KeyVersion>(kept.Count + (_entries.Count - firstNewer));
        rebuilt.AddRange(kept);
        for (int i = firstNewer; i < _entries.Count; i++)
        {
            rebuilt.Add(_entries[i]);
        }

        Invariant.Check(rebuilt.Count <= _entries.Count, "compaction never adds versions");
        _entries = rebuilt;
    }

    /// <summary>Copies the entries into a new array (for snapshots taken outside the lock).</summary>
    public KeyVersion[] ToArray() => [.. _entries];
}
