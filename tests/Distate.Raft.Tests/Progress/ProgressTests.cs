using Distate.Raft.Progress;

namespace Distate.Raft.Tests.Progress;

/// <summary>
/// Proves the leader's per-follower bookkeeping: the in-flight window (count and bytes), the probe / replicate /
/// snapshot transitions, and how a rejection moves Next (stale rejections ignored, hints honoured).
/// </summary>
public sealed class ProgressTests
{
    [Fact]
    public void Inflights_fill_to_the_count_limit_and_free_in_order()
    {
        var inflights = new Inflights(3, 0);
        inflights.Add(new LogIndex(2), 10);
        inflights.Add(new LogIndex(4), 10);
        inflights.Add(new LogIndex(6), 10);
        Assert.True(inflights.Full);

        inflights.FreeLessOrEqual(new LogIndex(4));
        Assert.Equal(1, inflights.Count);
        Assert.Equal(10, inflights.Bytes);
        Assert.False(inflights.Full);

        inflights.Add(new LogIndex(7), 5);
        inflights.Add(new LogIndex(8), 5); // wraps around the ring
        Assert.True(inflights.Full);
        inflights.FreeFirst();
        Assert.Equal(2, inflights.Count);
        inflights.FreeLessOrEqual(new LogIndex(100));
        Assert.Equal(0, inflights.Count);
        Assert.Equal(0, inflights.Bytes);
    }

    [Fact]
    public void Inflights_are_full_when_the_byte_limit_is_reached()
    {
        var inflights = new Inflights(100, 50);
        inflights.Add(new LogIndex(1), 30);
        Assert.False(inflights.Full);
        inflights.Add(new LogIndex(2), 20);
        Assert.True(inflights.Full);
        Assert.Throws<InvariantViolationException>(() => inflights.Add(new LogIndex(3), 1));
    }

    [Fact]
    public void Probe_sends_one_message_at_a_time()
    {
        var progress = new Raft.Progress.Progress(new LogIndex(5), 4, 0, false);
        Assert.Equal(ProgressState.Probe, progress.State);
        Assert.False(progress.IsPaused);

        progress.SentEntries(new LogIndex(6), 2, 50);
        Assert.True(progress.IsPaused);
        Assert.Equal(new LogIndex(5), progress.Next); // probing does not advance Next optimistically

        Assert.True(progress.MaybeUpdate(new LogIndex(6)));
        Assert.False(progress.IsPaused);
        Assert.Equal(new LogIndex(6), progress.Match);
        Assert.Equal(new LogIndex(7), progress.Next);
    }

    [Fact]
    public void Replicate_pipelines_until_the_window_is_full()
    {
        var progress = new Raft.Progress.Progress(new LogIndex(1), 2, 0, false);
        progress.MaybeUpdate(new LogIndex(3));
        progress.BecomeReplicate();
        Assert.Equal(new LogIndex(4), progress.Next);

        progress.SentEntries(new LogIndex(5), 2, 10);
        Assert.Equal(new LogIndex(6), progress.Next);
        progress.SentEntries(new LogIndex(7), 2, 10);
        Assert.True(progress.IsPaused);
    }

    [Fact]
    public void MaybeDecreaseTo_in_replicate_falls_back_to_match_and_ignores_stale_rejections()
    {
        var progress = new Raft.Progress.Progress(new LogIndex(1), 8, 0, false);
        progress.MaybeUpdate(new LogIndex(5));
        progress.BecomeReplicate();
        progress.SentEntries(new LogIndex(9), 4, 10);

        Assert.False(progress.MaybeDecreaseTo(new LogIndex(4), LogIndex.Zero)); // at or below Match: stale
        Assert.Equal(new LogIndex(10), progress.Next);
        Assert.True(progress.MaybeDecreaseTo(new LogIndex(7), new LogIndex(2)));
        Assert.Equal(new LogIndex(6), progress.Next);
    }

    [Fact]
    public void MaybeDecreaseTo_in_probe_uses_the_hint_but_never_goes_below_match()
    {
        var progress = new Raft.Progress.Progress(new LogIndex(10), 8, 0, false);
        Assert.False(progress.MaybeDecreaseTo(new LogIndex(5), new LogIndex(2))); // not the index we probed
        Assert.True(progress.MaybeDecreaseTo(new LogIndex(9), new LogIndex(3)));
        Assert.Equal(new LogIndex(4), progress.Next);

        progress.MaybeUpdate(new LogIndex(3));
        progress.SentEntries(new LogIndex(4), 1, 1);
        Assert.True(progress.MaybeDecreaseTo(new LogIndex(3), LogIndex.Zero));
        Assert.Equal(new LogIndex(4), progress.Next); // Next stays above Match
    }

    [Fact]
    public void Snapshot_state_pauses_until_the_follower_is_caught_up()
    {
        var progress = new Raft.Progress.Progress(new LogIndex(2), 8, 0, false);
        progress.BecomeSnapshot(new LogIndex(20));
        Assert.True(progress.IsPaused);
        Assert.Equal(new LogIndex(20), progress.PendingSnapshot);

        progress.BecomeProbe();
        Assert.Equal(new LogIndex(21), progress.Next); // after a snapshot, probe past it
        Assert.Equal(LogIndex.Zero, progress.PendingSnapshot);
    }
}
