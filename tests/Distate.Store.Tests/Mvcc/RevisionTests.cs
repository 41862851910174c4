using Distate.Store.Commands;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves the revision and per-key metadata rules of etcd v3 (checked against etcd 3.4.23): the empty store is at
// revision 1, every put advances the revision once, create/mod revision and version follow puts and deletes, and
// no-op commands (reads, deletes of nothing, lease commands) leave the revision alone.
public sealed class RevisionTests
{
    [Fact]
    public void Empty_store_is_at_revision_1_and_first_put_gets_revision_2()
    {
        using var store = new KvStore();
        Assert.Equal(1, store.CurrentRevision.Value);
        Assert.Equal(2, store.Put("a", "1").Revision.Value);
        Assert.Equal(2, store.CurrentRevision.Value);
    }

    [Fact]
    public void Put_tracks_create_mod_version_and_delete_resets_them()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("a", "2");
        KeyValue kv = store.Get("a")!;
        Assert.Equal((2L, 3L, 2L, "2"), (kv.CreateRevision.Value, kv.ModRevision.Value, kv.Version, S(kv.Value)));

        Assert.Equal(1, store.Delete("a").Deleted);
        Assert.Null(store.Get("a"));
        store.Put("a", "3");
        kv = store.Get("a")!;
        Assert.Equal((5L, 5L, 1L), (kv.CreateRevision.Value, kv.ModRevision.Value, kv.Version));
    }

    [Fact]
    public void Put_with_prev_kv_returns_the_old_version()
    {
        using var store = new KvStore();
        Assert.Null(store.Put("a", "1", prevKv: true).PrevKv);
        KeyValue previous = store.Put("a", "2", prevKv: true).PrevKv!;
        Assert.Equal(("1", 2L), (S(previous.Value), previous.ModRevision.Value));
    }

    [Fact]
    public void Delete_of_nothing_and_reads_do_not_advance_the_revision()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        DeleteRangeResult deleted = store.Delete("zz");
        Assert.Equal((0L, 2L), (deleted.Deleted, deleted.Revision.Value));
        store.Apply(new RangeCommand { Key = B("a") });
        store.Apply(new TxnCommand { Success = [new RangeCommand { Key = B("a") }] });
        Assert.Equal(2, store.CurrentRevision.Value);
    }

    [Fact]
    public void Ignore_value_and_ignore_lease_keep_the_current_ones()
    {
        using var store = new KvStore();
        LeaseId lease = store.Grant(100);
        store.Put("a", "1", lease.Value);
        store.Apply(new PutCommand { Key = B("a"), IgnoreValue = true, IgnoreLease = true }).Expect<PutResult>();
        KeyValue kv = store.Get("a")!;
        Assert.Equal(("1", lease, 2L), (S(kv.Value), kv.Lease, kv.Version));

        store.Apply(new PutCommand { Key = B("a"), Value = B("2"), IgnoreLease = true }).Expect<PutResult>();
        Assert.Equal(lease, store.Get("a")!.Lease);
        store.Put("a", "3");
        Assert.Equal(LeaseId.None, store.Get("a")!.Lease);
        Assert.Empty(store.LeaseTimeToLive(lease, withKeys: true)!.Keys);
    }
}
