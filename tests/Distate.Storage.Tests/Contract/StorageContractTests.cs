using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Contract;

// Proves the storage contract the Raft core relies on: the same scripted operations (append, suffix replacement,
// compaction, snapshots, hard state, range reads with byte limits, range errors) give the same answers on every
// implementation. It runs once against MemoryRaftStorage (the reference) and once against FasterRaftStorage, which
// additionally reopens from disk after every mutation, so each assertion also checks recovery.
public abstract class StorageContractTests
{
    private protected abstract IStorageHarness Create(ConfState? bootstrap = null);

    [Fact]
    public void Empty_storage_has_no_entries_and_empty_state()
    {
        using var h = Create();
        Assert.Equal(new LogIndex(1), h.Storage.FirstIndex());
        Assert.Equal(LogIndex.Zero, h.Storage.LastIndex());
        Assert.Equal(Term.Zero, h.Storage.TermAt(LogIndex.Zero));
        Assert.Equal(HardState.Empty, h.Storage.InitialState().HardState);
        Assert.True(h.Storage.LatestSnapshot().IsEmpty);
        Assert.Throws<LogUnavailableException>(() => h.Storage.TermAt(new LogIndex(1)));
    }

    [Fact]
    public void Bootstrap_membership_is_the_initial_conf_state()
    {
        using var h = Create(ConfState.OfVoters(1, 2, 3));
        h.Reopen();
        Assert.Equal(ConfState.OfVoters(1, 2, 3), h.Storage.InitialState().ConfState);
        Assert.Equal(ConfState.OfVoters(1, 2, 3), h.Storage.LatestSnapshot().Metadata.ConfState);
        Assert.Equal(LogIndex.Zero, h.Storage.LatestSnapshot().Metadata.Index);
    }

    [Fact]
    public void Appended_entries_read_back_by_range_and_term()
    {
        using var h = Create();
        var entries = TestEntries.Run(1, 10, 1);
        h.Append(entries);
        h.Reopen();
        Assert.Equal(new LogIndex(10), h.Storage.LastIndex());
        TestEntries.AssertSame(entries[2..7], h.Storage.Entries(new LogIndex(3), new LogIndex(8), long.MaxValue));
        Assert.Equal(new Term(1), h.Storage.TermAt(new LogIndex(10)));
        Assert.Throws<LogUnavailableException>(() => h.Storage.Entries(new LogIndex(5), new LogIndex(12), long.MaxValue));
    }

    [Fact]
    public void Max_bytes_limits_the_range_but_returns_at_least_one_entry()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 10, 1, payloadBytes: 100));
        h.Reopen();
        var perEntry = 100 + Entry.HeaderBytes;
        Assert.Single(h.Storage.Entries(new LogIndex(1), new LogIndex(11), 0));
        Assert.Equal(3, h.Storage.Entries(new LogIndex(1), new LogIndex(11), (3 * perEntry) + 1).Count);
    }

    [Fact]
    public void Conflicting_suffix_is_replaced_and_survives_reopen()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 10, 1));
        h.Append(TestEntries.Run(6, 2, 2));
        h.Reopen();
        Assert.Equal(new LogIndex(7), h.Storage.LastIndex());
        var expected = TestEntries.Run(1, 5, 1).Concat(TestEntries.Run(6, 2, 2)).ToArray();
        TestEntries.AssertSame(expected, h.Storage.Entries(new LogIndex(1), new LogIndex(8), long.MaxValue));
        h.Append(TestEntries.Run(8, 3, 3));
        h.Reopen();
        Assert.Equal(new Term(3), h.Storage.TermAt(new LogIndex(10)));
        Assert.Equal(new Term(2), h.Storage.TermAt(new LogIndex(7)));
    }

    [Fact]
    public void Compaction_drops_the_head_and_reads_across_it_fail_typed()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 20, 1));
        h.Append(TestEntries.Run(15, 10, 2));
        h.Compact(new LogIndex(17));
        h.Reopen();
        Assert.Equal(new LogIndex(18), h.Storage.FirstIndex());
        Assert.Equal(new LogIndex(24), h.Storage.LastIndex());
        Assert.Equal(new Term(2), h.Storage.TermAt(new LogIndex(17)));
        Assert.Throws<LogCompactedException>(() => h.Storage.TermAt(new LogIndex(16)));
        Assert.Throws<LogCompactedException>(() => h.Storage.Entries(new LogIndex(17), new LogIndex(20), long.MaxValue));
        TestEntries.AssertSame(TestEntries.Run(18, 7, 2), h.Storage.Entries(new LogIndex(18), new LogIndex(25), long.MaxValue));
    }

    [Fact]
    public void Appending_compacted_entries_is_ignored_and_overlap_replaces()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 10, 1));
        h.Compact(new LogIndex(10));
        h.Append(TestEntries.Run(5, 6, 1));
        Assert.Equal(new LogIndex(10), h.Storage.LastIndex());
        h.Append(TestEntries.Run(8, 5, 2));
        h.Reopen();
        Assert.Equal(new LogIndex(11), h.Storage.FirstIndex());
        Assert.Equal(new LogIndex(12), h.Storage.LastIndex());
        TestEntries.AssertSame(TestEntries.Run(11, 2, 2), h.Storage.Entries(new LogIndex(11), new LogIndex(13), long.MaxValue));
    }

    [Fact]
    public void Hard_state_persists_with_entries()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 3, 4));
        h.SetHardState(new HardState(new Term(4), new NodeId(2), new LogIndex(3)));
        h.Reopen();
        Assert.Equal(new HardState(new Term(4), new NodeId(2), new LogIndex(3)), h.Storage.InitialState().HardState);
    }

    [Fact]
    public void Created_snapshot_is_latest_and_survives_compaction()
    {
        using var h = Create(ConfState.OfVoters(1));
        h.Append(TestEntries.Run(1, 10, 1));
        var created = h.CreateSnapshot(new LogIndex(8), ConfState.OfVoters(1, 2), new byte[] { 1, 2, 3 });
        h.Compact(new LogIndex(8));
        h.Reopen();
        var latest = h.Storage.LatestSnapshot();
        Assert.Equal(created.Metadata, latest.Metadata);
        Assert.Equal(new byte[] { 1, 2, 3 }, latest.Data.ToArray());
        Assert.Equal(ConfState.OfVoters(1, 2), h.Storage.InitialState().ConfState);
        Assert.Equal(new LogIndex(9), h.Storage.FirstIndex());
    }

    [Fact]
    public void Applied_snapshot_replaces_the_whole_log()
    {
        using var h = Create(ConfState.OfVoters(1));
        h.Append(TestEntries.Run(1, 10, 1));
        h.SetHardState(new HardState(new Term(1), new NodeId(1), new LogIndex(5)));
        var snapshot = new Snapshot(new SnapshotMetadata(new LogIndex(50), new Term(3), ConfState.OfVoters(1, 2, 3)), new byte[] { 9, 9 });
        h.ApplySnapshot(snapshot);
        h.Reopen();
        Assert.Equal(new LogIndex(51), h.Storage.FirstIndex());
        Assert.Equal(new LogIndex(50), h.Storage.LastIndex());
        Assert.Equal(new Term(3), h.Storage.TermAt(new LogIndex(50)));
        Assert.Equal(snapshot.Metadata, h.Storage.LatestSnapshot().Metadata);
        Assert.Equal(new HardState(new Term(1), new NodeId(1), new LogIndex(5)), h.Storage.InitialState().HardState);
        h.Append(TestEntries.Run(51, 2, 3));
        h.Reopen();
        TestEntries.AssertSame(TestEntries.Run(51, 2, 3), h.Storage.Entries(new LogIndex(51), new LogIndex(53), long.MaxValue));
    }

    [Fact]
    public void Gaps_and_backward_snapshots_are_programmer_errors()
    {
        using var h = Create();
        h.Append(TestEntries.Run(1, 3, 1));
        Assert.Throws<InvariantViolationException>(() => h.Append(TestEntries.Run(5, 1, 1)));
        Assert.Throws<InvariantViolationException>(() => h.CreateSnapshot(new LogIndex(4), ConfState.OfVoters(1), default));
    }
}

/// <summary>The contract against the reference implementation.</summary>
public sealed class MemoryStorageContractTests : StorageContractTests
{
    private protected override IStorageHarness Create(ConfState? bootstrap = null) => new MemoryHarness(bootstrap);
}

/// <summary>The contract against the durable implementation, reopened from disk at each Reopen.</summary>
public sealed class FasterStorageContractTests : StorageContractTests
{
    private protected override IStorageHarness Create(ConfState? bootstrap = null) => new FasterHarness(bootstrap);
}
