namespace Distate.Raft.Tests;

/// <summary>
/// Proves leadership transfer (thesis §3.10) on a deterministic cluster: the leader first catches the target up,
/// then sends TimeoutNow and the target wins the next term; proposals during the hand-over are refused with
/// TransferInProgress; a transfer that cannot finish is abandoned after an election timeout.
/// </summary>
public sealed class RaftNodeTransferTests
{
    [Fact]
    public void Transfer_catches_the_target_up_then_it_becomes_leader_of_the_next_term()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Partition([1, 2], [3]);
        cluster.Propose(1, "a");
        cluster.Propose(1, "b");
        cluster.Deliver();
        Assert.Equal(new LogIndex(1), cluster.Raft(3).LastIndex);
        cluster.Heal();

        cluster.Transfer(1, 3);
        Assert.Equal(new NodeId(3), cluster.Raft(1).LeadTransferee);
        var during = cluster.Propose(1, "refused");
        cluster.Deliver();

        Assert.Equal(DroppedReason.TransferInProgress, during.Reason);
        Assert.Equal(StateRole.Leader, cluster.Raft(3).Role);
        Assert.Equal(new Term(2), cluster.Raft(3).Term);
        Assert.Equal(StateRole.Follower, cluster.Raft(1).Role);
        Assert.Equal(new NodeId(3), cluster.Raft(1).Leader);
        var timeoutNow = cluster.Delivered.FindIndex(m => m.Type == MessageType.TimeoutNow);
        var lastAppendTo3 = cluster.Delivered.FindLastIndex(m => m.Type == MessageType.Append && m.To.Value == 3 && m.Term == new Term(1));
        Assert.True(timeoutNow > lastAppendTo3, "TimeoutNow must follow the catch-up");
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(["a", "b"], n.Values));
        Assert.True(cluster.Propose(3, "after").Accepted);
    }

    [Fact]
    public void Transfer_requested_on_a_follower_is_forwarded_to_the_leader()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Transfer(2, 2);
        cluster.Deliver();

        Assert.Equal(StateRole.Leader, cluster.Raft(2).Role);
    }

    [Fact]
    public void Transfer_to_an_unreachable_target_is_abandoned_after_an_election_timeout()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Crash(3);
        cluster.Transfer(1, 3);
        Assert.Equal(DroppedReason.TransferInProgress, cluster.Propose(1, "x").Reason);

        cluster.TickUntil(() => !cluster.Raft(1).LeadTransferee.IsSome, 10, 1, 2);

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        Assert.True(cluster.Propose(1, "y").Accepted);
    }
}
