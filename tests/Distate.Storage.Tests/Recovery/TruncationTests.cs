using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Recovery;

// Proves head truncation moves FasterLog's begin address past old segments and recovery still works from the truncated log: with small segments, many
// entries are written, replaced in part, snapshotted and compacted; FasterLog's TruncateUntil must delete the old
// segment files, old snapshot files must be removed, and a reopen must give the same first/last index, terms and
// bytes, including reads that span records written before and after the suffix replacement.
public sealed class TruncationTests
{
    [Fact]
    public async Task Compaction_deletes_old_segments_and_recovery_reads_across_replacement()
    {
        using var dir = new TempDirectory();
        var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path), ConfState.OfVoters(1));
        for (ulong i = 0; i < 40; i++)
        {
            await storage.PersistAsync(null, TestEntries.Run(1 + (i * 50), 50, 1, payloadBytes: 400));
        }

        await storage.PersistAsync(new HardState(new Term(2), new NodeId(1), new LogIndex(1990)), TestEntries.Run(1990, 20, 2, payloadBytes: 400));
        var segmentsBefore = Directory.GetFiles(Path.Combine(dir.Path, "log"), "raft.*").Length;
        _ = await storage.CreateSnapshotAsync(new LogIndex(1000), ConfState.OfVoters(1), new byte[] { 1 });
        _ = await storage.CreateSnapshotAsync(new LogIndex(1985), ConfState.OfVoters(1), new byte[] { 2 });
        await storage.CompactAsync(new LogIndex(1985));
        await storage.DisposeAsync();

        Assert.True(segmentsBefore > 2, "the test must span several segments");
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "snapshots"), "*.snap"));

        using var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        Assert.True(reopened.LogBeginAddress > 3L << 18, $"begin address {reopened.LogBeginAddress} must be past the truncated segments");
        Assert.Equal(new LogIndex(1986), reopened.FirstIndex());
        Assert.Equal(new LogIndex(2009), reopened.LastIndex());
        Assert.Equal(new Term(1), reopened.TermAt(new LogIndex(1985)));
        var expected = TestEntries.Run(1986, 4, 1, 400).Concat(TestEntries.Run(1990, 20, 2, 400)).ToArray();
        TestEntries.AssertSame(expected, reopened.Entries(new LogIndex(1986), new LogIndex(2010), long.MaxValue));
        Assert.Equal(new byte[] { 2 }, reopened.LatestSnapshot().Data.ToArray());
        Assert.Equal(new LogIndex(1990), reopened.InitialState().HardState.Commit);
    }
}
