using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Puts and deletes. Each public operation checks everything that can fail before its first write.</summary>
internal sealed partial class MvccState
{
    /// <summary>Applies a top-level put.</summary>
    public StoreResult Put(PutCommand command)
    {
        StoreErrorCode? refused = CheckPut(command);
        if (refused is not null)
        {
            return Error(refused.Value);
        }

        if (UsedBytes + PutCost(command) > Settings.QuotaBytes)
        {
            return Error(StoreErrorCode.NoSpace);
        }

        return PutUnchecked(command);
    }

    /// <summary>Applies a top-level delete-range.</summary>
    public StoreResult DeleteRange(DeleteRangeCommand command) => DeleteUnchecked(command);

    /// <summary>State-dependent checks of a put (stateless ones ran in the validator).</summary>
    private StoreErrorCode? CheckPut(PutCommand command)
    {
        if (command.Lease.IsSet && !Leases.Contains(command.Lease.Value))
        {
            return StoreErrorCode.LeaseNotFound;
        }

        if (command.IgnoreValue || command.IgnoreLease)
        {
            bool exists = Index.TryGet(command.Key, out KeyRecord record) && record.LiveLatest is not null;
            if (!exists)
            {
                return StoreErrorCode.KeyNotFound;
            }
        }

        return null;
    }

    /// <summary>Bytes a put adds to the quota.</summary>
    private long PutCost(PutCommand command) => command.Key.Length + command.Value.Length + Settings.VersionOverheadBytes;

    private PutResult PutUnchecked(PutCommand command)
    {
        if (!Index.TryGet(command.Key, out KeyRecord record))
        {
            record = new KeyRecord(command.Key);
            Index.Add(record);
        }

        KeyVersion? previous = record.LiveLatest;
        Invariant.Check(!command.IgnoreValue || previous is not null, "ignore_value was checked against an existing key");
        byte[] value = command.IgnoreValue ? previous!.Value! : command.Value;
        long lease = command.IgnoreLease ? previous!.Lease : command.Lease.Value;
        long create = previous?.CreateRevision ?? PendingRevision;
        long version = (previous?.Version ?? 0) + 1;

        if (previous is not null && previous.Lease != 0 && previous.Lease != lease)
        {
            Leases.Detach(previous.Lease, record);
        }

        if (lease != 0)
        {
            Leases.Attach(lease, record);
        }

        KeyVersion added = AddVersion(record, value, create, version, lease);
        Invariant.Check(ReferenceEquals(record.Latest, added) && added.Version >= 1, "a put becomes the key's live latest version");
        Invariant.Check(added.CreateRevision <= added.ModMain, "a key is created no later than it is modified");
        return new PutResult(new Revision(PendingRevision), command.PrevKv ? previous?.ToKeyValue() : null);
    }

    private DeleteRangeResult DeleteUnchecked(DeleteRangeCommand command)
    {
        var live = new List<KeyRecord>();
        foreach (KeyRecord record in Index.Range(command.Key, command.RangeEnd))
        {
            if (record.LiveLatest is not null)
            {
                live.Add(record);
            }
        }

        var previous = command.PrevKv ? new KeyValue[live.Count] : [];
        for (int i = 0; i < live.Count; i++)
        {
            KeyVersion deleted = DeleteKey(live[i]);
            if (command.PrevKv)
            {
                previous[i] = deleted.ToKeyValue();
            }
        }

        return new DeleteRangeResult(HeaderRevision, live.Count, previous);
    }

    /// <summary>Writes a tombstone for a live key and detaches its lease; returns the version deleted.</summary>
    private KeyVersion DeleteKey(KeyRecord record)
    {
        KeyVersion? live = record.LiveLatest;
        Invariant.Check(live is not null, "only live keys are deleted");
        if (live.Lease != 0)
        {
            Leases.Detach(live.Lease, record);
        }

        AddVersion(record, value: null, createRevision: 0, version: 0, lease: 0);
        Invariant.Check(record.LiveLatest is null, "a deleted key has no live version");
        return live;
    }
}
