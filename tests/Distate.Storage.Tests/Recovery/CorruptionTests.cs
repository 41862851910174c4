using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Recovery;

// Proves checksums catch damage: three batches with recognisable payloads are written and the store closed; a byte
// is then flipped in the segment file. Damage in the last record (a torn tail) makes the log end before it — and a
// Discard record keeps later recoveries from mistaking it for mid-log damage once new records follow. Damage in a
// middle record (valid records follow) is reported as StorageCorruptionException, never skipped. A flipped byte in a
// snapshot file is reported the same way when loading.
public sealed class CorruptionTests
{
    private static Entry[] Batch(ulong first, byte fill) =>
        [.. Enumerable.Range(0, 4).Select(i => new Entry(new LogIndex(first + (ulong)i), new Term(1), EntryType.Normal, Enumerable.Repeat(fill, 64).ToArray()))];

    private static void WriteThreeBatches(string directory)
    {
        using var storage = FasterRaftStorage.Open(TestEntries.Options(directory));
        storage.PersistAsync(null, Batch(1, 0xA1)).AsTask().GetAwaiter().GetResult();
        storage.PersistAsync(null, Batch(5, 0xB2)).AsTask().GetAwaiter().GetResult();
        storage.PersistAsync(null, Batch(9, 0xC3)).AsTask().GetAwaiter().GetResult();
    }

    private static void FlipByteOf(string directory, byte fill)
    {
        var segment = Path.Combine(directory, "log", "raft.0");
        var bytes = File.ReadAllBytes(segment);
        var at = bytes.AsSpan().IndexOf(Enumerable.Repeat(fill, 64).ToArray());
        Assert.True(at > 0, "payload must be found in the segment file");
        bytes[at + 10] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
    }

    [Fact]
    public async Task Damaged_tail_record_ends_the_log_before_it_and_stays_skipped()
    {
        using var dir = new TempDirectory();
        WriteThreeBatches(dir.Path);
        FlipByteOf(dir.Path, 0xC3);
        using (var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path)))
        {
            Assert.Equal(new LogIndex(8), storage.LastIndex());
            await storage.PersistAsync(null, Batch(9, 0xD4));
        }

        using var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        Assert.Equal(new LogIndex(12), reopened.LastIndex());
        Assert.Equal(0xD4, reopened.Entries(new LogIndex(9), new LogIndex(10), long.MaxValue)[0].Data.Span[0]);
    }

    [Fact]
    public void Damaged_middle_record_is_reported_as_corruption()
    {
        using var dir = new TempDirectory();
        WriteThreeBatches(dir.Path);
        FlipByteOf(dir.Path, 0xB2);
        var error = Assert.Throws<StorageCorruptionException>(() => FasterRaftStorage.Open(TestEntries.Options(dir.Path)));
        Assert.Contains("valid records follow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Damaged_snapshot_file_is_reported_as_corruption()
    {
        using var dir = new TempDirectory();
        using (var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path), ConfState.OfVoters(1)))
        {
            await storage.PersistAsync(null, TestEntries.Run(1, 5, 1));
            _ = await storage.CreateSnapshotAsync(new LogIndex(4), ConfState.OfVoters(1), new byte[1000]);
        }

        var file = Directory.GetFiles(Path.Combine(dir.Path, "snapshots"), "*.snap").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^5] ^= 1;
        File.WriteAllBytes(file, bytes);
        var error = Assert.Throws<StorageCorruptionException>(() => FasterRaftStorage.Open(TestEntries.Options(dir.Path)));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }
}
