namespace Distate.Raft;

/// <summary>Size-limited slicing shared by every log storage, so all answer <c>Entries(low, high, maxBytes)</c> alike.</summary>
public static class EntrySlices
{
    /// <summary>
    /// How many of entries[start..start+count) fit in maxBytes: at least one when count &gt; 0, then as many as stay
    /// within the limit (the contract of <see cref="IRaftLogStorage.Entries"/>).
    /// </summary>
    public static int CountWithin(IReadOnlyList<Entry> entries, int start, int count, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Invariant.Check(start >= 0 && start + count <= entries.Count, "slice lies inside the entries");
        long bytes = 0;
        var taken = 0;
        while (taken < count)
        {
            bytes += entries[start + taken].SizeBytes;
            if (taken > 0 && bytes > maxBytes)
            {
                break;
            }

            taken++;
        }

        return taken;
    }
}
