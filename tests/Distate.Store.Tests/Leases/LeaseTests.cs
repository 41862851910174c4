using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Distate.Store.Watch;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Leases;

// Proves lease semantics without a clock: grant with client- or store-chosen ids (deterministic: two stores given the
// same commands choose the same ids), the minimum TTL (etcd 3.4 grants TTL 1 as 2 s), "too large lease TTL",
// revoke deleting attached keys in one revision, time-to-live with keys, list, and checkpoints that carry the remaining
// TTL to a new leader (and through snapshots), which etcd itself resets on every leader change.
public sealed class LeaseTests
{
    [Fact]
    public void Grant_chooses_deterministic_ids_and_applies_ttl_bounds()
    {
        using var first = new KvStore();
        using var second = new KvStore();
        foreach (KvStore store in new[] { first, second })
        {
            store.Grant(10, id: 2);
        }

        Assert.Equal(first.Grant(10), second.Grant(10));
        Assert.Equal(new LeaseId(1), first.LeaseList()[0].Id);
        Assert.Equal(3, first.Grant(10).Value);
        LeaseGrantResult minimum = first.Apply(new LeaseGrantCommand(new LeaseId(50), 1)).Expect<LeaseGrantResult>();
        Assert.Equal(2, minimum.TtlSeconds);
        first.Apply(new LeaseGrantCommand(new LeaseId(50), 10)).ExpectError(StoreErrorCode.LeaseExists);
        first.Apply(new LeaseGrantCommand(LeaseId.None, 9_000_000_001)).ExpectError(StoreErrorCode.LeaseTtlTooLarge);
        first.Apply(new LeaseGrantCommand(LeaseId.None, -1)).ExpectError(StoreErrorCode.InvalidArgument);
        Assert.Equal(1, first.CurrentRevision.Value);
    }

    [Fact]
    public async Task Revoke_deletes_attached_keys_in_one_revision_in_key_order()
    {
        using var store = new KvStore();
        LeaseId lease = store.Grant(30);
        store.Put("c", "1", lease.Value);
        store.Put("a", "1", lease.Value);
        store.Put("b", "1");
        using var watcher = store.Watch(new WatchRequest { Key = B("a"), RangeEnd = KeyRanges.FromKey });
        LeaseRevokeResult revoked = store.Apply(new LeaseRevokeCommand(lease)).Expect<LeaseRevokeResult>();
        Assert.Equal((2L, 5L), (revoked.DeletedKeys, revoked.Revision.Value));
        Assert.Equal("b", store.Prefix("").Keys());
        Assert.Null(store.LeaseTimeToLive(lease, withKeys: false));
        store.Apply(new LeaseRevokeCommand(lease)).ExpectError(StoreErrorCode.LeaseNotFound);
        WatchResponse response = (await watcher.ReadAsync())!;
        Assert.Equal("a,c", string.Join(",", response.Events.Select(e => S(e.Kv.Key))));
        Assert.All(response.Events, e => Assert.Equal(WatchEventType.Delete, e.Type));
    }

    [Fact]
    public void Time_to_live_lists_keys_and_checkpoints_carry_remaining_ttl()
    {
        using var store = new KvStore();
        LeaseId lease = store.Grant(60);
        store.Put("k2", "v", lease.Value);
        store.Put("k1", "v", lease.Value);
        LeaseInfo info = store.LeaseTimeToLive(lease, withKeys: true)!;
        Assert.Equal((60L, 60L, "k1,k2"), (info.GrantedTtlSeconds, info.RemainingTtlSeconds, string.Join(",", info.Keys.Select(k => S(k)))));

        LeaseCheckpointResult checkpoint = store.Apply(new LeaseCheckpointCommand([new(lease, 42), new(new LeaseId(999), 5)]))
            .Expect<LeaseCheckpointResult>();
        Assert.Equal(1, checkpoint.Updated);
        Assert.Equal(42, store.LeaseList()[0].RemainingTtlSeconds);

        // A new leader restores from a snapshot and continues the countdown from 42, not 60.
        using var newLeader = new KvStore();
        using var image = new MemoryStream();
        store.WriteSnapshot(image);
        image.Position = 0;
        newLeader.RestoreSnapshot(image);
        Assert.Equal(42, newLeader.LeaseTimeToLive(lease, withKeys: false)!.RemainingTtlSeconds);
        Assert.Equal(2, newLeader.LeaseTimeToLive(lease, withKeys: true)!.Keys.Count);

        // Keep-alive is a checkpoint at the granted TTL; more than granted is clamped; negative is refused.
        store.Apply(new LeaseCheckpointCommand([new(lease, 1000)])).Expect<LeaseCheckpointResult>();
        Assert.Equal(60, store.LeaseList()[0].RemainingTtlSeconds);
        store.Apply(new LeaseCheckpointCommand([new(lease, -1)])).ExpectError(StoreErrorCode.InvalidArgument);
    }

    [Fact]
    public void Moving_a_key_between_leases_detaches_it_from_the_old_one()
    {
        using var store = new KvStore();
        LeaseId first = store.Grant(30);
        LeaseId second = store.Grant(30);
        store.Put("k", "v", first.Value);
        store.Put("k", "v", second.Value);
        Assert.Empty(store.LeaseTimeToLive(first, withKeys: true)!.Keys);
        Assert.Equal(0, store.Apply(new LeaseRevokeCommand(first)).Expect<LeaseRevokeResult>().DeletedKeys);
        Assert.NotNull(store.Get("k"));
        store.Delete("k");
        Assert.Empty(store.LeaseTimeToLive(second, withKeys: true)!.Keys);
        store.AssertInvariants();
    }
}
