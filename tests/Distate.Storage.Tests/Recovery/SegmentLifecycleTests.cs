using System.Collections.Concurrent;
using Distate.Raft;
using Distate.Storage.Io;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Recovery;

// Proves the segment-file lifecycle on the real file device, with 256 KiB segments and a counting directory-sync
// hook: (1) every segment FasterLog creates gets an fsync of the log directory before a commit covering it is
// acknowledged — counted per segment, plus one at open; (2) CompactAsync returns only after FasterLog has deleted
// every segment file wholly below the new begin address — checked on the directory listing right after it returns,
// before close; (3) FASTER commit metadata is written only when the begin address moves (and once per process),
// not per append, which is what keeps single-entry commit latency near one sync write.
public sealed class SegmentLifecycleTests
{
    private const int SegmentSizeBits = 18;

    [Fact]
    public async Task New_segments_are_directory_synced_and_compaction_deletes_old_segment_files()
    {
        using var dir = new TempDirectory();
        var syncs = new ConcurrentDictionary<string, int>();
        var options = new StorageOptions
        {
            Directory = dir.Path,
            PageSizeBits = 16,
            MemorySizeBits = 18,
            SegmentSizeBits = SegmentSizeBits,
            MaxEntryBytes = 8 << 10,
            DirectorySyncHook = path =>
            {
                _ = syncs.AddOrUpdate(path, 1, (_, n) => n + 1);
                DirectorySync.Flush(path);
            },
        };
        var logDir = Path.Combine(dir.Path, "log");
        await using var storage = FasterRaftStorage.Open(options, ConfState.OfVoters(1));
        Assert.Equal(1 + SegmentIds(logDir).Count, syncs.GetValueOrDefault(logDir)); // At open, plus segment 0 for the bootstrap record.
        for (ulong i = 0; i < 60; i++)
        {
            await storage.PersistAsync(new HardState(new Term(1), new NodeId(1), new LogIndex(i)), TestEntries.Run(1 + (i * 50), 50, 1, payloadBytes: 400));
        }

        var segments = SegmentIds(logDir);
        Assert.True(segments.Count >= 4, $"the test must span several segments, got {segments.Count}");
        Assert.Equal(1 + segments.Count, syncs.GetValueOrDefault(logDir)); // Open + one per segment created.
        Assert.True(storage.CommitBlobsWritten <= 2, $"commit metadata written {storage.CommitBlobsWritten} times for 61 commits");

        _ = await storage.CreateSnapshotAsync(new LogIndex(2900), ConfState.OfVoters(1), new byte[] { 7 });
        await storage.CompactAsync(new LogIndex(2900));

        var firstKept = (int)(storage.LogBeginAddress >> SegmentSizeBits);
        var remaining = SegmentIds(logDir);
        Assert.True(firstKept >= 3, $"compaction must move the begin address past several segments (begin {storage.LogBeginAddress})");
        Assert.All(remaining, id => Assert.True(id >= firstKept, $"segment raft.{id} is below the begin segment {firstKept} but still on disk"));
        Assert.Contains(firstKept, remaining);
        Assert.Equal(new LogIndex(2901), storage.FirstIndex());
    }

    private static List<int> SegmentIds(string logDir) =>
        [.. Directory.GetFiles(logDir, "raft.*").Select(f => int.Parse(Path.GetExtension(f).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)).Order()];
}
