using Distate.Store.Alarms;
using Distate.Store.Mvcc;

namespace Distate.Store.Snapshot;

/// <summary>What a snapshot needs, captured under the read lock in O(versions) references so streaming runs without the lock:
/// stored versions are immutable apart from the Previous link, which a snapshot never reads.</summary>
/// <param name="CurrentRevision">The store revision.</param>
/// <param name="CompactRevision">The compact revision.</param>
/// <param name="NextLeaseId">The counter for server-chosen lease ids.</param>
/// <param name="Leases">Id, granted TTL and remaining TTL of every lease, in id order.</param>
/// <param name="Alarms">Every raised alarm in (member, type) order.</param>
/// <param name="Versions">Every stored version in revision order.</param>
internal sealed record SnapshotImage(
    long CurrentRevision,
    long CompactRevision,
    long NextLeaseId,
    (long Id, long Granted, long Remaining)[] Leases,
    AlarmMember[] Alarms,
    KeyVersion[] Versions);
