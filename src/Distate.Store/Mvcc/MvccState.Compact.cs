using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Compaction: for each key keep the newest version at or below the revision (unless it is a tombstone) and drop older ones.</summary>
internal sealed partial class MvccState
{
    /// <summary>Applies a compaction; it does not advance the revision.</summary>
    public StoreResult Compact(CompactCommand command)
    {
        long revision = command.Revision.Value;
        if (revision <= CompactRevision)
        {
            return StoreError.Create(new Revision(CurrentRevision), StoreErrorCode.Compacted, new Revision(CompactRevision));
        }

        if (revision > CurrentRevision)
        {
            return Error(StoreErrorCode.FutureRevision);
        }

        var kept = new List<KeyVersion>();
        var emptied = new List<KeyRecord>();
        foreach (KeyRecord record in Index.All)
        {
            CompactKey(record, revision, kept, emptied);
        }

        foreach (KeyRecord record in emptied)
        {
            Index.Remove(record);
        }

        Log.Compact(revision, kept);
        Invariant.Check(Log.Count >= kept.Count, "kept versions stay in the log");
        CompactRevision = revision;
        UsedBytes = RecountUsedBytes();
        return new CompactResult(new Revision(CurrentRevision));
    }

    private static void CompactKey(KeyRecord record, long revision, List<KeyVersion> kept, List<KeyRecord> emptied)
    {
        KeyVersion? newer = null;
        KeyVersion? version = record.Latest;
        while (version is not null && version.ModMain > revision)
        {
            newer = version;
            version = version.Previous;
        }

        if (version is null)
        {
            return;
        }

        if (!version.IsTombstone)
        {
            version.Previous = null;
            kept.Add(version);
        }
        else if (newer is null)
        {
            Invariant.Check(ReferenceEquals(record.Latest, version), "a key whose newest version is a compacted tombstone is dropped");
            emptied.Add(record);
        }
        else
        {
            newer.Previous = null;
        }
    }

    /// <summary>Sum of the quota cost of every stored version and lease.</summary>
    public long RecountUsedBytes()
    {
        long used = (long)Leases.Count * Settings.LeaseOverheadBytes;
        for (int i = 0; i < Log.Count; i++)
        {
            used += Log[i].CostBytes(Settings.VersionOverheadBytes);
        }

        return used;
    }
}
