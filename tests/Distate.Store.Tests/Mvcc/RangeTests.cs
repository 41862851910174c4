using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves Range follows etcd: [key, range_end) with prefix and from-key ends, limit with the `more` flag and a `count`
// of all keys in range (etcd 3.4: `get p --prefix --limit=2` on 4 keys gives more=true, count=4), historical reads,
// sort order/target, count-only, keys-only and the min/max revision filters (applied after count, as etcd does).
public sealed class RangeTests
{
    private static KvStore Seeded()
    {
        var store = new KvStore();
        store.Put("p1", "d");
        store.Put("p2", "c");
        store.Put("p3", "b");
        store.Put("p4", "a");
        store.Put("q", "z");
        store.Put("p2", "c2");
        return store;
    }

    [Fact]
    public void Prefix_from_key_and_half_open_ranges()
    {
        using KvStore store = Seeded();
        Assert.Equal("p1,p2,p3,p4", store.Prefix("p").Keys());
        RangeResult fromKey = store.Range(new RangeCommand { Key = B("p3"), RangeEnd = KeyRanges.FromKey }).Expect<RangeResult>();
        Assert.Equal("p3,p4,q", fromKey.Keys());
        RangeResult halfOpen = store.Range(new RangeCommand { Key = B("p2"), RangeEnd = B("p4") }).Expect<RangeResult>();
        Assert.Equal("p2,p3", halfOpen.Keys());
        RangeResult all = store.Range(new RangeCommand { Key = [0], RangeEnd = KeyRanges.FromKey }).Expect<RangeResult>();
        Assert.Equal(5, all.Count);
        RangeResult backwards = store.Range(new RangeCommand { Key = B("q"), RangeEnd = B("p") }).Expect<RangeResult>();
        Assert.Empty(backwards.Kvs);
    }

    [Fact]
    public void Limit_sets_more_and_count_counts_everything_in_range()
    {
        using KvStore store = Seeded();
        RangeResult limited = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), Limit = 2 }).Expect<RangeResult>();
        Assert.Equal(("p1,p2", true, 4L), (limited.Keys(), limited.More, limited.Count));
        RangeResult exact = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), Limit = 4 }).Expect<RangeResult>();
        Assert.False(exact.More);
    }

    [Fact]
    public void Sort_by_mod_descending_with_limit_matches_etcd()
    {
        using KvStore store = Seeded();
        RangeResult sorted = store.Range(new RangeCommand
        {
            Key = B("p"), RangeEnd = B("q"), Limit = 1, SortTarget = SortTarget.Mod, SortOrder = SortOrder.Descend,
        }).Expect<RangeResult>();
        Assert.Equal(("p2", true, 4L), (sorted.Keys(), sorted.More, sorted.Count));
        RangeResult byValue = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), SortTarget = SortTarget.Value })
            .Expect<RangeResult>();
        Assert.Equal("p4,p3,p2,p1", byValue.Keys());
        RangeResult byKeyDown = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), SortOrder = SortOrder.Descend })
            .Expect<RangeResult>();
        Assert.Equal("p4,p3,p2,p1", byKeyDown.Keys());
        RangeResult byVersion = store.Range(new RangeCommand
        {
            Key = B("p"), RangeEnd = B("q"), SortTarget = SortTarget.Version, SortOrder = SortOrder.Descend,
        }).Expect<RangeResult>();
        Assert.Equal("p2,p1,p3,p4", byVersion.Keys());
    }

    [Fact]
    public void Count_only_and_keys_only()
    {
        using KvStore store = Seeded();
        RangeResult counted = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), CountOnly = true }).Expect<RangeResult>();
        Assert.Equal((0, 4L), (counted.Kvs.Count, counted.Count));
        RangeResult keys = store.Range(new RangeCommand { Key = B("p"), RangeEnd = B("q"), KeysOnly = true }).Expect<RangeResult>();
        Assert.All(keys.Kvs, kv => Assert.True(kv.Value.IsEmpty));
        Assert.Equal(4, keys.Kvs.Count);
    }

    [Fact]
    public void Revision_filters_prune_after_counting()
    {
        using KvStore store = Seeded();
        RangeResult filtered = store.Range(new RangeCommand
        {
            Key = B("p"), RangeEnd = B("q"), MinModRevision = new Revision(4), MaxCreateRevision = new Revision(4),
        }).Expect<RangeResult>();
        Assert.Equal(("p2,p3", 4L), (filtered.Keys(), filtered.Count));
        RangeResult created = store.Range(new RangeCommand
        {
            Key = B("p"), RangeEnd = B("q"), MinCreateRevision = new Revision(4), MaxModRevision = new Revision(4),
        }).Expect<RangeResult>();
        Assert.Equal("p3", created.Keys());
    }

    [Fact]
    public void Historical_reads_see_the_past_and_report_the_current_header()
    {
        using KvStore store = Seeded();
        store.Delete("p1");
        Assert.Equal("d", S(store.Get("p1", revision: 2)!.Value));
        Assert.Equal("c", S(store.Get("p2", revision: 6)!.Value));
        Assert.Null(store.Get("p1", revision: 1));
        RangeResult past = store.Prefix("p", revision: 3);
        Assert.Equal(("p1,p2", 8L), (past.Keys(), past.Revision.Value));
        Assert.Equal("p2,p3,p4", store.Prefix("p").Keys());
    }

    [Fact]
    public void Future_revision_is_refused()
    {
        using KvStore store = Seeded();
        store.Range(new RangeCommand { Key = B("a"), Revision = new Revision(100) }).ExpectError(StoreErrorCode.FutureRevision);
    }
}
