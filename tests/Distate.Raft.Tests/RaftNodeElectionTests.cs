namespace Distate.Raft.Tests;

/// <summary>
/// Proves the election rules beyond the paper's core: a vote is persisted before it is announced and survives a
/// restart; PreVote keeps a rejoining node from disrupting a healthy leader; CheckQuorum deposes a leader cut off
/// from its majority. Each rule is shown holding, and where useful its absence is shown to matter (the same run with
/// the feature off behaves differently), so the assertions are known to be able to fail.
/// </summary>
public sealed class RaftNodeElectionTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    private static Message VoteFrom(ulong from, ulong term) => new()
    {
        Type = MessageType.Vote, From = new NodeId(from), To = new NodeId(1), Term = new Term(term), Index = LogIndex.Zero, LogTerm = Term.Zero,
    };

    [Fact]
    public void Vote_is_in_the_hard_state_of_the_same_ready_that_carries_the_grant()
    {
        var node = new SoloNode(1, Three);
        node.Raft.Step(VoteFrom(2, 1));
        var ready = node.Raft.GetReady();

        // The host persists HardState before sending Messages, so the grant can never outrun the vote.
        Assert.Equal(new HardState(new Term(1), new NodeId(2), LogIndex.Zero), ready.HardState);
        Assert.True(ready.MustSync);
        var grant = Assert.Single(ready.Messages);
        Assert.Equal(MessageType.VoteResponse, grant.Type);
        Assert.False(grant.Reject);
        node.Raft.Advance(ready);
    }

    [Fact]
    public void A_restarted_node_keeps_its_vote_and_refuses_another_candidate_in_that_term()
    {
        var node = new SoloNode(1, Three);
        Assert.False(Assert.Single(node.Step(VoteFrom(2, 1))).Reject);
        Assert.Equal(new NodeId(2), node.Storage.HardState.Vote);

        node.Restart();

        Assert.Equal(new NodeId(2), node.Raft.Vote);
        Assert.True(Assert.Single(node.Step(VoteFrom(3, 1))).Reject);
        Assert.False(Assert.Single(node.Step(VoteFrom(2, 1))).Reject);
        Assert.False(Assert.Single(node.Step(VoteFrom(3, 2))).Reject); // a new term frees the vote
    }

    [Fact]
    public void PreVote_an_isolated_node_neither_raises_its_term_nor_deposes_the_leader_when_it_rejoins()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Tick(60);
        Assert.Equal(new Term(1), cluster.Raft(3).Term);
        Assert.Equal(StateRole.PreCandidate, cluster.Raft(3).Role);

        cluster.Heal();
        cluster.Tick(5);

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(new Term(1), n.Raft.Term));
        Assert.Equal(new NodeId(1), cluster.Raft(3).Leader);
        Assert.DoesNotContain(cluster.Delivered, m => m.Type == MessageType.Vote && m.Term > new Term(1));
    }

    [Fact]
    public void Without_PreVote_the_same_rejoin_disrupts_the_leader()
    {
        var cluster = TestCluster.OfSize(3, o => o with { PreVote = false, CheckQuorum = false });
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Tick(60);
        Assert.True(cluster.Raft(3).Term > new Term(1));

        cluster.Heal();
        cluster.Tick(5);

        Assert.True(cluster.Raft(1).Term > new Term(1));
    }

    [Fact]
    public void PreVote_is_refused_by_followers_that_heard_from_the_leader_recently()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Tick(2);
        var before = cluster.Raft(1).Term;

        cluster.Campaign(3);
        cluster.Deliver();

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        Assert.Equal(before, cluster.Raft(1).Term);
        Assert.DoesNotContain(cluster.Delivered, m => m.Type == MessageType.PreVoteResponse && m.To.Value == 3 && !m.Reject && m.Term > before);
    }

    [Fact]
    public void CheckQuorum_a_leader_cut_off_from_its_majority_steps_down_within_two_election_timeouts()
    {
        var cluster = TestCluster.OfSize(5);
        cluster.Elect(1);
        cluster.Tick(3);
        cluster.Partition([1, 2], [3, 4, 5]);

        var ticks = cluster.TickUntil(() => cluster.Raft(1).Role != StateRole.Leader, 20, 1);

        Assert.InRange(ticks, 1, 20);
        Assert.Equal(StateRole.Follower, cluster.Raft(1).Role);
        Assert.Equal(new Term(1), cluster.Raft(1).Term); // stepping down does not need a new term
    }

    [Fact]
    public void CheckQuorum_a_leader_that_hears_from_its_majority_stays_leader()
    {
        var cluster = TestCluster.OfSize(5);
        cluster.Elect(1);
        cluster.Partition([1, 2, 3], [4, 5]);
        cluster.Tick(100, 1, 2, 3);

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        Assert.Equal(new Term(1), cluster.Raft(1).Term);
    }

    [Fact]
    public void Without_CheckQuorum_a_cut_off_leader_keeps_believing_it_leads()
    {
        var cluster = TestCluster.OfSize(5, o => o with { CheckQuorum = false });
        cluster.Elect(1);
        cluster.Partition([1, 2], [3, 4, 5]);
        cluster.Tick(100, 1);

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
    }
}
