using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;

namespace Distate.Store.Tests.Mvcc;

// Proves HashKV lets replicas compare: the same commands give the same hash on separate stores, any difference in
// content changes it, a hash at an old revision ignores later writes, and compacted/future revisions are refused
// as etcd refuses them.
public sealed class HashKvTests
{
    private static HashKvResult Hash(KvStore store, long revision = 0) => store.HashKv(new Revision(revision)).Expect<HashKvResult>();

    [Fact]
    public void Same_commands_same_hash_and_different_content_different_hash()
    {
        using var first = new KvStore();
        using var second = new KvStore();
        using var third = new KvStore();
        foreach (KvStore store in new[] { first, second, third })
        {
            store.Put("a", "1");
            store.Put("b", "2");
        }

        third.Put("a", "1");
        first.Put("a", "x");
        second.Put("a", "x");
        Assert.Equal(Hash(first), Hash(second));
        Assert.Equal(4, Hash(first).HashRevision.Value);
        Assert.NotEqual(Hash(first).Hash, Hash(third).Hash);
    }

    [Fact]
    public void Hash_at_an_old_revision_ignores_later_writes_and_bounds_are_checked()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("b", "1");
        uint atThree = Hash(store, 3).Hash;
        store.Put("c", "1");
        Assert.Equal(atThree, Hash(store, 3).Hash);
        Assert.NotEqual(atThree, Hash(store).Hash);
        store.HashKv(new Revision(9)).ExpectError(StoreErrorCode.FutureRevision);
        store.Apply(new CompactCommand(new Revision(3)));
        store.HashKv(new Revision(3)).ExpectError(StoreErrorCode.Compacted);
        Assert.Equal(3, Hash(store).CompactRevision.Value);
    }
}
