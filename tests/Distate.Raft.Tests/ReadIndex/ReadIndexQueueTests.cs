using Distate.Raft.ReadIndex;

namespace Distate.Raft.Tests.ReadIndex;

/// <summary>
/// Proves the leader's read queue: reads before a broadcast share one round; a later round's acknowledgement also
/// confirms earlier rounds; held reads join a round once the leader's no-op commits; dropping returns everything.
/// </summary>
public sealed class ReadIndexQueueTests
{
    private static readonly NodeId Self = new(1);

    [Fact]
    public void Reads_before_a_broadcast_share_one_round_at_the_latest_commit()
    {
        var queue = new ReadIndexQueue();
        queue.Add(new ReadRequest(1, Self), new LogIndex(3));
        queue.Add(new ReadRequest(2, Self), new LogIndex(4));
        Assert.True(queue.HasOpenRound);

        var round = queue.SendOpenRound();
        Assert.False(queue.HasOpenRound);
        Assert.Equal(round, queue.LastSentRoundId);

        var confirmed = Assert.Single(queue.TakeConfirmed(round));
        Assert.Equal(new LogIndex(4), confirmed.Index);
        Assert.Equal([1UL, 2], confirmed.Requests.Select(r => r.RequestId));
    }

    [Fact]
    public void A_later_round_ack_confirms_earlier_rounds_but_not_unsent_ones()
    {
        var queue = new ReadIndexQueue();
        queue.Add(new ReadRequest(1, Self), new LogIndex(1));
        var first = queue.SendOpenRound();
        queue.Add(new ReadRequest(2, Self), new LogIndex(2));
        var second = queue.SendOpenRound();
        queue.Add(new ReadRequest(3, Self), new LogIndex(2));

        queue.Acknowledge(new NodeId(2), second);
        Assert.Equal(second, queue.AckedBy(new NodeId(2), Self));
        Assert.Equal(ulong.MaxValue, queue.AckedBy(Self, Self));
        Assert.Equal(0UL, queue.AckedBy(new NodeId(3), Self));
        queue.Acknowledge(new NodeId(2), first); // an older ack does not lower the record
        Assert.Equal(second, queue.AckedBy(new NodeId(2), Self));

        var confirmed = queue.TakeConfirmed(second);
        Assert.Equal([first, second], confirmed.Select(r => r.Id));
        Assert.Equal(1, queue.PendingCount); // read 3 is in an unsent round
    }

    [Fact]
    public void Held_reads_join_a_round_when_released_and_all_are_returned_on_drop()
    {
        var queue = new ReadIndexQueue();
        queue.Hold(new ReadRequest(1, Self));
        Assert.False(queue.HasOpenRound);
        Assert.Equal(1, queue.PendingCount);

        queue.ReleaseHeld(new LogIndex(7));
        Assert.True(queue.HasOpenRound);
        queue.Hold(new ReadRequest(2, new NodeId(2)));

        var dropped = queue.DropAll();
        Assert.Equal(new ulong[] { 1, 2 }, dropped.Select(r => r.RequestId).Order());
        Assert.Equal(0, queue.PendingCount);
        Assert.Equal(0UL, queue.LastSentRoundId);
    }
}
