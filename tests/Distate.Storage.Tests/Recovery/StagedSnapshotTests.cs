using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Recovery;

// Proves the two-step snapshot the server takes beside its node loop: StageSnapshot writes the data file without
// recording it, and recovery ignores a staged file until CommitSnapshotAsync records it; a committed one survives
// reopening with its data (and is read back from its file, not held on the heap); a snapshot installed from a leader while another was being staged wins, and the stale
// stage then records nothing.
public sealed class StagedSnapshotTests
{
    private static byte[] Data(byte fill) => Enumerable.Repeat(fill, 2048).ToArray();

    [Fact]
    public async Task A_staged_snapshot_counts_only_once_committed_and_survives_reopening()
    {
        using var dir = new TempDirectory();
        using (var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path), ConfState.OfVoters(1)))
        {
            await storage.PersistAsync(new HardState(new Term(1), NodeId.None, new LogIndex(10)), TestEntries.Run(1, 10, 1));
            var staged = storage.StageSnapshot(new LogIndex(8), ConfState.OfVoters(1, 2), Data(0x5A));
            Assert.NotNull(staged);
            Assert.Equal(new Term(1), staged.Metadata.Term);
            Assert.Equal(LogIndex.Zero, storage.LatestSnapshot().Metadata.Index);

            var recorded = await storage.CommitSnapshotAsync(staged);
            Assert.NotNull(recorded);
            Assert.Equal(new LogIndex(8), storage.LatestSnapshot().Metadata.Index);

            // Storage does not keep the committed bytes on the heap: they are read back from the file, verified.
            Assert.Equal(Data(0x5A), storage.LatestSnapshot().Data.ToArray());
            storage.AssertInvariants();
        }

        using var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        var snapshot = reopened.LatestSnapshot();
        Assert.Equal(new LogIndex(8), snapshot.Metadata.Index);
        Assert.Equal(ConfState.OfVoters(1, 2), snapshot.Metadata.ConfState);
        Assert.Equal(Data(0x5A), snapshot.Data.ToArray());
        Assert.Equal(new LogIndex(10), reopened.LastIndex());
    }

    [Fact]
    public async Task A_staged_but_uncommitted_snapshot_is_ignored_by_recovery()
    {
        using var dir = new TempDirectory();
        using (var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path), ConfState.OfVoters(1)))
        {
            await storage.PersistAsync(null, TestEntries.Run(1, 10, 1));
            Assert.NotNull(storage.StageSnapshot(new LogIndex(6), ConfState.OfVoters(1), Data(0x11)));
        }

        using var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        Assert.Equal(LogIndex.Zero, reopened.LatestSnapshot().Metadata.Index);
        Assert.Equal(new LogIndex(1), reopened.FirstIndex());
        Assert.Equal(new LogIndex(10), reopened.LastIndex());
    }

    [Fact]
    public async Task A_snapshot_installed_from_the_leader_meanwhile_supersedes_a_staged_one()
    {
        using var dir = new TempDirectory();
        using var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path), ConfState.OfVoters(1));
        await storage.PersistAsync(null, TestEntries.Run(1, 10, 1));
        var staged = storage.StageSnapshot(new LogIndex(5), ConfState.OfVoters(1), Data(0x22));
        Assert.NotNull(staged);

        var fromLeader = new Snapshot(new SnapshotMetadata(new LogIndex(20), new Term(2), ConfState.OfVoters(1)), Data(0x33));
        await storage.ApplySnapshotAsync(fromLeader);

        Assert.Null(await storage.CommitSnapshotAsync(staged));
        Assert.Null(storage.StageSnapshot(new LogIndex(7), ConfState.OfVoters(1), Data(0x44)));
        Assert.Equal(new LogIndex(20), storage.LatestSnapshot().Metadata.Index);
        Assert.Equal(Data(0x33), storage.LatestSnapshot().Data.ToArray());
    }
}
