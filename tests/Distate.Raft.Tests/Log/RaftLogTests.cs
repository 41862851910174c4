using Distate.Raft.Log;

namespace Distate.Raft.Tests.Log;

/// <summary>
/// Proves RaftLog and UnstableLog on hand-built logs: follower append with a conflicting suffix, the fast back-off
/// search, slices spanning stable and unstable entries with byte limits, and unstable truncation and persistence.
/// </summary>
public sealed class RaftLogTests
{
    private static RaftLog LogWithStable(params ulong[] terms)
    {
        var storage = new MemoryRaftStorage(ConfState.OfVoters(1));
        storage.Append(SoloNode.Entries(1, terms));
        return new RaftLog(storage);
    }

    private static string Terms(RaftLog log)
    {
        var parts = new List<string>();
        for (var i = log.FirstIndex; i <= log.LastIndex; i = i.Next)
        {
            parts.Add(log.TermOrZero(i).ToString());
        }

        return string.Join(" ", parts);
    }

    [Fact]
    public void TryAppend_replaces_a_conflicting_suffix_and_keeps_a_matching_one()
    {
        var log = LogWithStable(1, 1, 2, 2);

        Assert.True(log.TryAppend(new LogIndex(2), new Term(1), LogIndex.Zero, SoloNode.Entries(3, 3), out var last));
        Assert.Equal(new LogIndex(3), last);
        Assert.Equal("1 1 3", Terms(log));
        Assert.Equal(new LogIndex(3), log.Unstable.Offset);

        Assert.True(log.TryAppend(new LogIndex(1), new Term(1), LogIndex.Zero, SoloNode.Entries(2, 1), out _));
        Assert.Equal("1 1 3", Terms(log)); // a prefix that matches truncates nothing
    }

    [Fact]
    public void TryAppend_refuses_when_the_previous_entry_does_not_match()
    {
        var log = LogWithStable(1, 1);

        Assert.False(log.TryAppend(new LogIndex(2), new Term(2), new LogIndex(2), SoloNode.Entries(3, 2), out _));
        Assert.False(log.TryAppend(new LogIndex(5), new Term(1), new LogIndex(2), SoloNode.Entries(6, 2), out _));
        Assert.Equal("1 1", Terms(log));
        Assert.Equal(LogIndex.Zero, log.Committed);
    }

    [Fact]
    public void TryAppend_commits_no_further_than_the_last_new_entry()
    {
        var log = LogWithStable(1, 1, 1, 1);

        Assert.True(log.TryAppend(new LogIndex(1), new Term(1), new LogIndex(9), SoloNode.Entries(2, 1), out _));

        Assert.Equal(new LogIndex(2), log.Committed);
    }

    [Theory]
    [InlineData(6UL, 3UL, 6UL, 3UL)] // our term at 6 is 3 ≤ 3: stop at once
    [InlineData(6UL, 2UL, 3UL, 2UL)] // skip the whole term-3 run
    [InlineData(6UL, 1UL, 1UL, 1UL)]
    [InlineData(6UL, 0UL, 0UL, 0UL)]
    public void FindConflictByTerm_finds_the_last_index_whose_term_is_at_most_the_given_term(ulong index, ulong term, ulong wantIndex, ulong wantTerm)
    {
        var log = LogWithStable(1, 2, 2, 3, 3, 3);

        var (found, foundTerm) = log.FindConflictByTerm(new LogIndex(index), new Term(term));

        Assert.Equal(new LogIndex(wantIndex), found);
        Assert.Equal(new Term(wantTerm), foundTerm);
    }

    [Fact]
    public void TrySlice_spans_stable_and_unstable_entries_and_respects_the_byte_limit()
    {
        var log = LogWithStable(1, 1, 1);
        log.Append(SoloNode.Entries(4, 2, 2));

        Assert.Equal([1UL, 2, 3, 4, 5], log.TrySlice(new LogIndex(1), new LogIndex(6), long.MaxValue)!.Select(e => e.Index.Value));
        Assert.Equal([2UL, 3, 4], log.TrySlice(new LogIndex(2), new LogIndex(5), long.MaxValue)!.Select(e => e.Index.Value));
        // Each entry weighs 25 bytes (1 payload + 24 header): 60 bytes fit two, and at least one is always returned.
        Assert.Equal([3UL, 4], log.TrySlice(new LogIndex(3), new LogIndex(6), 60)!.Select(e => e.Index.Value));
        Assert.Equal([4UL], log.TrySlice(new LogIndex(4), new LogIndex(6), 1)!.Select(e => e.Index.Value));
        Assert.Empty(log.TrySlice(new LogIndex(4), new LogIndex(4), 1)!);
    }

    [Fact]
    public void TrySlice_of_a_compacted_index_returns_null()
    {
        var storage = new MemoryRaftStorage(ConfState.OfVoters(1));
        storage.Append(SoloNode.Entries(1, 1, 1, 1));
        storage.CreateSnapshot(new LogIndex(2), ConfState.OfVoters(1), default);
        storage.Compact(new LogIndex(2));
        var log = new RaftLog(storage);

        Assert.Null(log.TrySlice(new LogIndex(2), new LogIndex(4), long.MaxValue));
        Assert.True(log.TryTerm(new LogIndex(2), out var term));
        Assert.Equal(new Term(1), term);
        Assert.False(log.TryTerm(new LogIndex(1), out _));
    }

    [Fact]
    public void MaybeCommit_commits_only_an_entry_of_the_given_term()
    {
        var log = LogWithStable(1, 1, 2);

        Assert.False(log.MaybeCommit(new LogIndex(2), new Term(2)));
        Assert.Equal(LogIndex.Zero, log.Committed);
        Assert.True(log.MaybeCommit(new LogIndex(3), new Term(2)));
        Assert.Equal(new LogIndex(3), log.Committed);
        Assert.False(log.MaybeCommit(new LogIndex(2), new Term(1))); // commit never goes back
    }

    [Theory]
    [InlineData(2UL, 3UL, true)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(3UL, 1UL, true)]
    [InlineData(1UL, 9UL, false)]
    public void IsUpToDate_compares_last_term_then_last_index(ulong term, ulong index, bool expected)
    {
        var log = LogWithStable(1, 2, 2);

        Assert.Equal(expected, log.IsUpToDate(new LogIndex(index), new Term(term)));
    }

    [Fact]
    public void UnstableLog_truncates_inside_and_before_its_entries()
    {
        var unstable = new UnstableLog(new LogIndex(5));
        unstable.TruncateAndAppend(SoloNode.Entries(5, 1, 1, 1), 0);

        unstable.TruncateAndAppend(SoloNode.Entries(6, 2), 0);
        Assert.Equal([5UL, 6], unstable.Entries.Select(e => e.Index.Value));
        Assert.Equal(new Term(2), unstable.Entries[1].Term);

        unstable.TruncateAndAppend(SoloNode.Entries(3, 3, 3), 0);
        Assert.Equal(new LogIndex(3), unstable.Offset);
        Assert.Equal([3UL, 4], unstable.Entries.Select(e => e.Index.Value));
    }

    [Fact]
    public void UnstableLog_StableTo_drops_persisted_entries_unless_they_were_replaced()
    {
        var unstable = new UnstableLog(new LogIndex(1));
        unstable.TruncateAndAppend(SoloNode.Entries(1, 1, 1, 1), 0);

        unstable.StableTo(new LogIndex(2), new Term(1));
        Assert.Equal(new LogIndex(3), unstable.Offset);
        Assert.Single(unstable.Entries);

        unstable.TruncateAndAppend(SoloNode.Entries(3, 2), 0);
        unstable.StableTo(new LogIndex(3), new Term(1)); // the host persisted the replaced 1/3: keep 2/3 unstable
        Assert.Equal(new LogIndex(3), unstable.Offset);
        Assert.Equal(new Term(2), Assert.Single(unstable.Entries).Term);
    }

    [Fact]
    public void UnstableLog_restore_puts_a_snapshot_in_front()
    {
        var unstable = new UnstableLog(new LogIndex(1));
        unstable.TruncateAndAppend(SoloNode.Entries(1, 1), 0);
        var snapshot = new Snapshot(new SnapshotMetadata(new LogIndex(9), new Term(3), ConfState.OfVoters(1)), default);

        unstable.Restore(snapshot);

        Assert.Empty(unstable.Entries);
        Assert.Equal(new LogIndex(10), unstable.Offset);
        Assert.True(unstable.TryLastIndex(out var last));
        Assert.Equal(new LogIndex(9), last);
        Assert.True(unstable.TryTerm(new LogIndex(9), out var term));
        Assert.Equal(new Term(3), term);
        unstable.StableSnapshotTo(new LogIndex(9));
        Assert.Null(unstable.Snapshot);
    }
}
