using Distate.Store.Leases;

namespace Distate.Store.Mvcc;

/// <summary>Whole-structure checks, compiled in always but called only by tests, simulation and restore.</summary>
internal sealed partial class MvccState
{
    /// <summary>Checks log order, chain links, lease attachments and quota accounting.</summary>
    public void AssertInvariants()
    {
        Invariant.Check(CompactRevision <= CurrentRevision, "compact revision not ahead of current");
        Index.AssertInvariants();
        long chained = 0;
        foreach (KeyRecord record in Index.All)
        {
            Invariant.Check(record.Latest is not null, "indexed keys have a version");
            for (KeyVersion? version = record.Latest; version is not null; version = version.Previous)
            {
                Invariant.Check(ReferenceEquals(version.Owner, record), "versions belong to their key");
                Invariant.Check(version.ModMain <= CurrentRevision, "no version from the future");
                chained++;
            }

            KeyVersion? live = record.LiveLatest;
            if (live is { Lease: not 0 })
            {
                Invariant.Check(Leases.TryGet(live.Lease, out Lease lease) && lease.Keys.Contains(record), "live leased keys are attached");
            }
        }

        Invariant.Check(chained == Log.Count, "every chained version is logged exactly once");
        for (int i = 1; i < Log.Count; i++)
        {
            Invariant.Check(Log[i - 1].ModMain < Log[i].ModMain || (Log[i - 1].ModMain == Log[i].ModMain && Log[i - 1].ModSub < Log[i].ModSub), "log in revision order");
        }

        Invariant.Check(UsedBytes == RecountUsedBytes(), "quota accounting matches stored data");
    }
}
