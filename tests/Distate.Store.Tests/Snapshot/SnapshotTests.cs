using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Snapshot;

// Proves snapshot and restore: a 100k-key store (64 B keys, 256 B values) round-trips to an identical HashKV, revisions,
// history and leases; history, compact revision and tombstones survive; every corruption we try (a flipped byte anywhere,
// truncation, trailing bytes, a foreign stream) is rejected with a clear error and leaves the target store unchanged.
public sealed class SnapshotTests
{
    private static KvStore RoundTrip(KvStore source)
    {
        using var image = new MemoryStream();
        source.WriteSnapshot(image);
        image.Position = 0;
        var restored = new KvStore();
        restored.RestoreSnapshot(image);
        return restored;
    }

    private static HashKvResult Hash(KvStore store, long revision = 0) => store.HashKv(new Revision(revision)).Expect<HashKvResult>();

    [Fact]
    public void Round_trip_at_100k_keys_gives_an_identical_hash()
    {
        using var store = new KvStore();
        var value = new byte[256];
        for (int i = 0; i < 100_000; i++)
        {
            value[i % 256] = (byte)i;
            byte[] key = B($"/registry/pods/namespace-{i % 97:D4}/pod-{i:D8}-{new string('x', 21)}");
            Assert.Equal(64, key.Length);
            store.Apply(new PutCommand { Key = key, Value = (byte[])value.Clone() });
        }

        using KvStore restored = RoundTrip(store);
        Assert.Equal(Hash(store), Hash(restored));
        Assert.Equal(store.CurrentRevision, restored.CurrentRevision);
        Assert.Equal(100_000, restored.Prefix("/registry/").Count);
        restored.AssertInvariants();
    }

    [Fact]
    public void History_compaction_tombstones_and_leases_survive()
    {
        using var store = new KvStore();
        LeaseId lease = store.Grant(30);
        store.Put("a", "1");
        store.Put("a", "2", lease.Value);
        store.Put("b", "1");
        store.Delete("b");
        store.Apply(new CompactCommand(new Revision(3)));
        store.Put("c", "1");

        using KvStore restored = RoundTrip(store);
        Assert.Equal(Hash(store), Hash(restored));
        Assert.Equal(Hash(store, 4), Hash(restored, 4));
        Assert.Equal(store.CompactRevision, restored.CompactRevision);
        Assert.Equal("2", S(restored.Get("a", 3)!.Value));
        Assert.Equal("1", S(restored.Get("b", 4)!.Value));
        Assert.Null(restored.Get("b"));
        Assert.Equal("a", string.Join(",", restored.LeaseTimeToLive(lease, withKeys: true)!.Keys.Select(k => S(k))));
        Assert.Equal(store.Grant(5), restored.Grant(5));
        Assert.Equal(store.UsedBytes, restored.UsedBytes);
        restored.AssertInvariants();
    }

    [Fact]
    public void A_captured_snapshot_encodes_the_store_as_of_capture_although_writes_and_compaction_follow()
    {
        using var source = new KvStore();
        for (int i = 0; i < 100; i++)
        {
            source.Put($"key{i % 10}", $"value{i}");
        }

        var expected = Hash(source);
        var captured = source.CaptureSnapshot();
        for (int i = 0; i < 100; i++)
        {
            source.Put($"key{i % 10}", $"later{i}");
        }

        source.Delete("key0");
        source.Apply(new CompactCommand(new Revision(150)));

        using var image = new MemoryStream();
        captured.WriteTo(image);
        image.Position = 0;
        using var restored = new KvStore();
        restored.RestoreSnapshot(image);
        Assert.Equal(new Revision(101), captured.Revision);
        Assert.Equal(expected, Hash(restored));
        Assert.Equal("value99", S(restored.Get("key9")!.Value));
        Assert.Equal("value1", S(restored.Get("key1", revision: 3)!.Value));
        restored.AssertInvariants();
    }

    [Fact]
    public void Every_corruption_is_rejected_and_leaves_the_store_unchanged()
    {
        using var source = new KvStore();
        for (int i = 0; i < 50; i++)
        {
            source.Put($"key{i}", $"value{i}");
        }

        using var image = new MemoryStream();
        source.WriteSnapshot(image);
        byte[] bytes = image.ToArray();

        using var target = new KvStore();
        target.Put("mine", "1");
        uint before = Hash(target).Hash;
        for (int position = 0; position < bytes.Length; position++)
        {
            byte[] corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= 0x5a;
            Assert.Throws<StoreCodecException>(() => target.RestoreSnapshot(new MemoryStream(corrupt)));
        }

        Assert.Throws<StoreCodecException>(() => target.RestoreSnapshot(new MemoryStream(bytes[..^1])));
        Assert.Throws<StoreCodecException>(() => target.RestoreSnapshot(new MemoryStream([.. bytes, 0])));
        StoreCodecException foreign = Assert.Throws<StoreCodecException>(() => target.RestoreSnapshot(new MemoryStream(B("not a snapshot at all"))));
        Assert.Contains("corrupt snapshot", foreign.Message, StringComparison.Ordinal);
        Assert.Equal(before, Hash(target).Hash);
        Assert.Equal("1", S(target.Get("mine")!.Value));
    }
}
