namespace Distate.Raft.Tests;

/// <summary>
/// Proves ReadIndex (thesis §6.4): reads given together share one heartbeat round; a new leader holds reads until
/// its no-op commits; a follower's read goes through the leader; a read is released only once the node applied up
/// to its index; a deposed leader fails its pending reads with LeadershipLost. Counts are taken from the messages
/// the cluster actually delivered.
/// </summary>
public sealed class RaftNodeReadIndexTests
{
    [Fact]
    public void Concurrent_reads_share_one_heartbeat_round()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "x");
        cluster.Deliver();
        var before = cluster.Delivered.Count;

        cluster.Raft(1).ReadIndex(7);
        cluster.Raft(1).ReadIndex(8);
        cluster.Raft(1).ReadIndex(9);
        cluster.Deliver();

        var sent = cluster.Delivered.Skip(before).ToList();
        Assert.Equal(2, sent.Count(m => m.Type == MessageType.Heartbeat));
        Assert.Equal([7UL, 8, 9], cluster[1].Reads.Select(r => r.RequestId));
        Assert.All(cluster[1].Reads, r => Assert.Equal(new LogIndex(2), r.Index));
    }

    [Fact]
    public void A_new_leader_holds_reads_until_its_no_op_commits()
    {
        var leader = new SoloNode(1, [1, 2, 3]);
        leader.BecomeLeaderWithVotesFrom(2);
        leader.Raft.ReadIndex(5);
        var sent = leader.Flush();

        Assert.DoesNotContain(sent, m => m.Type == MessageType.Heartbeat && m.Context != 0);
        Assert.DoesNotContain(leader.Readies, r => r.ReadStates.Count > 0);

        var afterCommit = leader.Step(new Message
        {
            Type = MessageType.AppendResponse, From = new NodeId(2), To = new NodeId(1), Term = leader.Raft.Term, Index = new LogIndex(1),
        });
        Assert.Equal(new LogIndex(1), leader.Raft.CommitIndex);
        var round = afterCommit.First(m => m.Type == MessageType.Heartbeat && m.Context != 0);

        leader.Step(new Message
        {
            Type = MessageType.HeartbeatResponse, From = new NodeId(2), To = new NodeId(1), Term = leader.Raft.Term, Context = round.Context,
        });
        var read = Assert.Single(leader.Readies.SelectMany(r => r.ReadStates));
        Assert.Equal(new ReadState(5, new LogIndex(1)), read);
    }

    [Fact]
    public void A_leader_does_not_release_a_read_until_a_majority_acknowledged_its_round()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Partition([1], [2, 3]);
        cluster.Read(1, 4);
        cluster.Deliver();
        Assert.Empty(cluster[1].Reads);

        cluster.Heal();
        cluster.Tick(1, 1);
        Assert.Equal([4UL], cluster[1].Reads.Select(r => r.RequestId));
    }

    [Fact]
    public void A_follower_read_goes_through_the_leader()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "x");
        cluster.Deliver();
        cluster.Read(2, 11);
        cluster.Deliver();

        Assert.Equal(new ReadState(11, new LogIndex(2)), Assert.Single(cluster[2].Reads));
        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.ReadIndex && m.From.Value == 2 && m.To.Value == 1);
        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.ReadIndexResponse && m.To.Value == 2 && !m.Reject);
    }

    [Fact]
    public void A_follower_releases_a_read_only_once_it_applied_up_to_the_read_index()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.DropWhere(m => m.Type == MessageType.Append && m.To.Value == 2);
        cluster.Propose(1, "x");
        cluster.Deliver();
        Assert.Equal(new LogIndex(2), cluster.Raft(1).CommitIndex);
        Assert.Equal(new LogIndex(1), cluster.Raft(2).AppliedIndex);

        cluster.Read(2, 3);
        cluster.Deliver();
        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.ReadIndexResponse && m.To.Value == 2 && m.Index == new LogIndex(2));
        Assert.Empty(cluster[2].Reads);

        cluster.Heal();
        cluster.Tick(1);
        Assert.Equal(new ReadState(3, new LogIndex(2)), Assert.Single(cluster[2].Reads));
        Assert.Equal(["x"], cluster[2].Values);
    }

    [Fact]
    public void A_deposed_leader_drops_its_pending_reads_with_LeadershipLost()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Isolate(1);
        cluster.Read(1, 21);
        cluster.Deliver();
        Assert.Empty(cluster[1].Reads);

        cluster.TickUntil(() => cluster.Raft(1).Role != StateRole.Leader, 20, 1);

        var dropped = Assert.Single(cluster[1].DroppedReads);
        Assert.Equal(21UL, dropped.RequestId);
        Assert.Equal(DroppedReason.LeadershipLost, dropped.Reason);
        Assert.Empty(cluster[1].Reads);
    }

    [Fact]
    public void A_read_on_a_node_that_knows_no_leader_is_dropped_with_NoLeader()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Read(2, 1);

        Assert.Equal(new DroppedRead(1, DroppedReason.NoLeader, NodeId.None), Assert.Single(cluster[2].DroppedReads));
    }

    [Fact]
    public void A_single_voter_serves_reads_at_once()
    {
        var cluster = TestCluster.OfSize(1);
        cluster.Elect(1);
        cluster.Read(1, 1);

        Assert.Equal(new ReadState(1, new LogIndex(1)), Assert.Single(cluster[1].Reads));
    }
}
