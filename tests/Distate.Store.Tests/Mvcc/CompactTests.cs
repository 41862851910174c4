using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves compaction as in etcd 3.4: reads below the compact revision fail with "required revision has been compacted",
// the compact revision itself stays readable, compacting again at or below it fails the same way, a future revision
// fails with "future revision", the revision does not advance, and deleted keys vanish from history entirely.
public sealed class CompactTests
{
    [Fact]
    public void Compaction_keeps_the_compact_revision_readable_and_refuses_older_reads()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("a", "2");
        store.Put("b", "1");
        store.Apply(new CompactCommand(new Revision(3))).Expect<CompactResult>();
        Assert.Equal((4L, 3L), (store.CurrentRevision.Value, store.CompactRevision.Value));
        Assert.Equal("2", S(store.Get("a", revision: 3)!.Value));
        StoreError error = store.Range(new RangeCommand { Key = B("a"), Revision = new Revision(2) }).ExpectError(StoreErrorCode.Compacted);
        Assert.Equal(3, error.CompactRevision.Value);
        store.AssertInvariants();
    }

    [Fact]
    public void Compacting_old_or_future_revisions_is_refused()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("a", "2");
        store.Apply(new CompactCommand(new Revision(3))).Expect<CompactResult>();
        store.Apply(new CompactCommand(new Revision(3))).ExpectError(StoreErrorCode.Compacted);
        store.Apply(new CompactCommand(new Revision(2))).ExpectError(StoreErrorCode.Compacted);
        store.Apply(new CompactCommand(new Revision(100))).ExpectError(StoreErrorCode.FutureRevision);
    }

    [Fact]
    public void Deleted_keys_leave_the_index_and_quota_shrinks()
    {
        using var store = new KvStore();
        for (int i = 0; i < 10; i++)
        {
            store.Put("k", new string('x', 100));
        }

        store.Delete("k");
        store.Put("other", "v");
        long before = store.UsedBytes;
        store.Apply(new CompactCommand(store.CurrentRevision)).Expect<CompactResult>();
        Assert.True(store.UsedBytes < before / 5, $"used {store.UsedBytes} of {before}");
        Assert.Equal(1, store.IndexedKeyCount);
        Assert.Equal("v", S(store.Get("other")!.Value));
        store.AssertInvariants();
    }

    [Fact]
    public void A_key_updated_after_the_compact_revision_keeps_both_versions()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("a", "2");
        store.Put("a", "3");
        store.Apply(new CompactCommand(new Revision(3))).Expect<CompactResult>();
        Assert.Equal("2", S(store.Get("a", 3)!.Value));
        Assert.Equal("3", S(store.Get("a", 4)!.Value));
        store.AssertInvariants();
    }
}
