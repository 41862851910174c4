using Distate.Store.Alarms;
using Distate.Store.Errors;
using Distate.Store.Hashing;
using Distate.Store.Mvcc;
using Distate.Store.Results;
using Distate.Store.Snapshot;

namespace Distate.Store;

/// <summary>Snapshots, restore, HashKV and whole-structure invariant checks.</summary>
public sealed partial class KvStore
{
    /// <summary>Streams the whole store (uncompacted history, leases, counters) with a CRC-32C trailer. Only capturing
    /// references holds the read lock; the bytes are written without it, so apply continues meanwhile.</summary>
    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CaptureSnapshot().WriteTo(destination);
    }

    /// <summary>Captures the store as of now (one quick copy of references under the read lock) for encoding later, on
    /// any thread, with <see cref="StoreSnapshot.WriteTo"/>.</summary>
    public StoreSnapshot CaptureSnapshot()
    {
        SnapshotImage image = Read(static state =>
        {
            Leases.Lease[] leases = state.Leases.SortedLeases();
            var leaseRows = new (long, long, long)[leases.Length];
            for (int i = 0; i < leases.Length; i++)
            {
                leaseRows[i] = (leases[i].Id, leases[i].GrantedTtlSeconds, leases[i].RemainingTtlSeconds);
            }

            return new SnapshotImage(state.CurrentRevision, state.CompactRevision, state.Leases.NextId, leaseRows,
                state.Alarms.List(AlarmType.None), state.Log.ToArray());
        });
        return new StoreSnapshot(image);
    }

    /// <summary>Replaces the whole store with a snapshot. The snapshot is read and verified into a new state first; a corrupt
    /// one throws <see cref="Codec.StoreCodecException"/> and leaves the store unchanged. Watchers then catch up from the new
    /// history (or are canceled if it is compacted past them).</summary>
    public void RestoreSnapshot(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        MvccState restored = SnapshotCodec.Read(source, Settings);
        restored.AssertInvariants();
        _lock.EnterWriteLock();
        try
        {
            _state = restored;
            _hub.ResyncAll();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>etcd's HashKV: CRC-32C over every stored version up to the revision (0 = current), so replicas can be compared.</summary>
    public StoreResult HashKv(Revision revision) => Read(state => HashKvCore(state, revision.Value));

    private static StoreResult HashKvCore(MvccState state, long revision)
    {
        var header = new Revision(state.CurrentRevision);
        if (revision > 0 && revision <= state.CompactRevision)
        {
            return StoreError.Create(header, StoreErrorCode.Compacted, new Revision(state.CompactRevision));
        }

        if (revision > state.CurrentRevision)
        {
            return StoreError.Create(header, StoreErrorCode.FutureRevision);
        }

        long upTo = revision > 0 ? revision : state.CurrentRevision;
        var crc = new Crc32C();
        for (int i = 0; i < state.Log.Count && state.Log[i].ModMain <= upTo; i++)
        {
            KeyVersion version = state.Log[i];
            crc.Append(version.ModMain);
            crc.Append(version.ModSub);
            crc.Append(version.Owner.Key.Length);
            crc.Append(version.Owner.Key);
            crc.Append(version.IsTombstone ? -1 : version.Value!.Length);
            crc.Append(version.CreateRevision);
            crc.Append(version.Version);
            crc.Append(version.Lease);
            crc.Append(version.Value);
        }

        return new HashKvResult(header, crc.Value, new Revision(state.CompactRevision), new Revision(upTo));
    }

    /// <summary>Checks every structural invariant (slow: whole store); for tests and simulation.</summary>
    internal void AssertInvariants() => Read(static state =>
    {
        state.AssertInvariants();
        return true;
    });
}
