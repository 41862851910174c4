using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves each limit is enforced before anything is applied, with etcd's error strings: empty key, key and value size,
// ignore_value/ignore_lease misuse, the size quota ("database space exceeded", while deletes still work), and bad settings.
public sealed class LimitTests
{
    [Fact]
    public void Empty_and_oversized_keys_and_values_are_refused()
    {
        using var store = new KvStore(new StoreSettings { MaxKeyBytes = 8, MaxValueBytes = 16 });
        store.Apply(new PutCommand { Key = [], Value = B("v") }).ExpectError(StoreErrorCode.EmptyKey);
        store.Range(new RangeCommand { Key = [] }).ExpectError(StoreErrorCode.EmptyKey);
        store.Apply(new DeleteRangeCommand { Key = [] }).ExpectError(StoreErrorCode.EmptyKey);
        store.Apply(new PutCommand { Key = B("123456789"), Value = B("v") }).ExpectError(StoreErrorCode.RequestTooLarge);
        store.Apply(new PutCommand { Key = B("k"), Value = new byte[17] }).ExpectError(StoreErrorCode.RequestTooLarge);
        store.Apply(new TxnCommand { Success = [new PutCommand { Key = B("k"), Value = new byte[17] }] }).ExpectError(StoreErrorCode.RequestTooLarge);
        store.Apply(new PutCommand { Key = B("12345678"), Value = new byte[16] }).Expect<PutResult>();
        Assert.Equal(2, store.CurrentRevision.Value);
    }

    [Fact]
    public void Ignore_flags_are_checked()
    {
        using var store = new KvStore();
        store.Apply(new PutCommand { Key = B("k"), IgnoreValue = true }).ExpectError(StoreErrorCode.KeyNotFound);
        store.Apply(new PutCommand { Key = B("k"), Value = B("v"), IgnoreLease = true }).ExpectError(StoreErrorCode.KeyNotFound);
        store.Apply(new PutCommand { Key = B("k"), Value = B("v"), IgnoreValue = true }).ExpectError(StoreErrorCode.ValueProvided);
        store.Apply(new PutCommand { Key = B("k"), Lease = new LeaseId(5), IgnoreLease = true }).ExpectError(StoreErrorCode.LeaseProvided);
        store.Apply(new PutCommand { Key = B("k"), Lease = new LeaseId(5) }).ExpectError(StoreErrorCode.LeaseNotFound);
    }

    [Fact]
    public void Quota_refuses_writes_but_not_deletes_or_compaction()
    {
        using var store = new KvStore(new StoreSettings { QuotaBytes = 1000, VersionOverheadBytes = 0, LeaseOverheadBytes = 101 });
        for (int i = 0; i < 9; i++)
        {
            store.Put($"k{i}", new string('v', 98));
        }

        store.Apply(new PutCommand { Key = B("big"), Value = new byte[200] }).ExpectError(StoreErrorCode.NoSpace);
        store.Apply(new TxnCommand { Success = [new PutCommand { Key = B("big"), Value = new byte[200] }] }).ExpectError(StoreErrorCode.NoSpace);
        store.Apply(new LeaseGrantCommand(LeaseId.None, 10)).ExpectError(StoreErrorCode.NoSpace);
        Assert.Equal(9, store.Delete("k", "l").Deleted);
        store.Apply(new CompactCommand(store.CurrentRevision)).Expect<CompactResult>();
        store.Apply(new PutCommand { Key = B("big"), Value = new byte[200] }).Expect<PutResult>();
    }

    [Fact]
    public void Bad_settings_are_refused_at_startup()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KvStore(new StoreSettings { MaxTxnOps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KvStore(new StoreSettings { WatcherBufferResponses = 1 }));
    }
}
