using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Leases;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Lease grant, revoke and checkpoint. The state never reads a clock: the leader decides expiry and checkpoints.</summary>
internal sealed partial class MvccState
{
    /// <summary>Grants a lease; id 0 picks the next free id from the replicated counter.</summary>
    public StoreResult LeaseGrant(LeaseGrantCommand command)
    {
        if (command.TtlSeconds > Settings.MaxLeaseTtlSeconds)
        {
            return Error(StoreErrorCode.LeaseTtlTooLarge);
        }

        if (command.Id.IsSet && Leases.Contains(command.Id.Value))
        {
            return Error(StoreErrorCode.LeaseExists);
        }

        if (UsedBytes + Settings.LeaseOverheadBytes > Settings.QuotaBytes)
        {
            return Error(StoreErrorCode.NoSpace);
        }

        long id = command.Id.IsSet ? command.Id.Value : Leases.ChooseId();
        long ttl = Math.Max(command.TtlSeconds, Settings.MinLeaseTtlSeconds);
        Invariant.Check(id != 0 && !Leases.Contains(id), "a granted id is new and non-zero");
        Leases.Add(new Lease(id, ttl, ttl));
        UsedBytes += Settings.LeaseOverheadBytes;
        return new LeaseGrantResult(new Revision(CurrentRevision), new LeaseId(id), ttl);
    }

    /// <summary>Revokes a lease, deleting its keys in ordinal key order in one revision.</summary>
    public StoreResult LeaseRevoke(LeaseRevokeCommand command)
    {
        if (!Leases.TryGet(command.Id.Value, out Lease lease))
        {
            return Error(StoreErrorCode.LeaseNotFound);
        }

        KeyRecord[] keys = lease.SortedKeys();
        foreach (KeyRecord record in keys)
        {
            DeleteKey(record);
        }

        Invariant.Check(lease.Keys.Count == 0, "deleting a lease's keys detaches them all");
        Leases.Remove(lease.Id);
        UsedBytes -= Settings.LeaseOverheadBytes;
        Invariant.Check(UsedBytes >= 0, "quota accounting never goes negative");
        return new LeaseRevokeResult(HeaderRevision, keys.Length);
    }

    /// <summary>Records remaining TTLs (clamped to the granted TTL); unknown leases are skipped.</summary>
    public StoreResult LeaseCheckpoint(LeaseCheckpointCommand command)
    {
        int updated = 0;
        foreach (LeaseCheckpoint checkpoint in command.Checkpoints)
        {
            if (Leases.TryGet(checkpoint.Id.Value, out Lease lease))
            {
                lease.RemainingTtlSeconds = Math.Min(checkpoint.RemainingTtlSeconds, lease.GrantedTtlSeconds);
                updated++;
            }
        }

        return new LeaseCheckpointResult(new Revision(CurrentRevision), updated);
    }

    /// <summary>What the store knows of one lease, or null when it does not exist.</summary>
    public LeaseInfo? LeaseInfo(LeaseId id, bool withKeys)
    {
        return Leases.TryGet(id.Value, out Lease lease) ? Describe(lease, withKeys) : null;
    }

    /// <summary>Every lease in id order, without keys.</summary>
    public LeaseInfo[] LeaseList()
    {
        Lease[] leases = Leases.SortedLeases();
        var infos = new LeaseInfo[leases.Length];
        for (int i = 0; i < leases.Length; i++)
        {
            infos[i] = Describe(leases[i], withKeys: false);
        }

        return infos;
    }

    private static LeaseInfo Describe(Lease lease, bool withKeys)
    {
        KeyRecord[] keys = withKeys ? lease.SortedKeys() : [];
        var keyBytes = new ReadOnlyMemory<byte>[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keyBytes[i] = keys[i].Key;
        }

        return new LeaseInfo(new LeaseId(lease.Id), lease.GrantedTtlSeconds, lease.RemainingTtlSeconds, keyBytes);
    }
}
