using System.Runtime.CompilerServices;
namespace Distate.Raft.Tests;

/// <summary>
/// Proves how proposals and membership changes are accepted or refused: followers refuse with NotLeader and a hint,
/// leaderless nodes with NoLeader, a leader over its uncommitted budget with UncommittedLimit; single-server
/// membership changes add a learner, promote it, remove a follower, and remove the leader itself (which steps down and
/// lets another leader emerge); a second change is refused while one is pending, and any change is refused before
/// the leader has committed an entry of its term. A proposal always resolves: the core reports a ProposalCutoff each time
/// the committed term rises, which fails proposals of earlier terms above the commit even if their index is never reused.
/// </summary>
public sealed class RaftNodeProposalsTests
{
    [Fact]
    public void A_follower_refuses_a_proposal_with_NotLeader_and_the_leader_hint()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        var result = cluster.Propose(2, "x");

        Assert.Equal(DroppedReason.NotLeader, result.Reason);
        Assert.Equal(new NodeId(1), result.LeaderHint);
        Assert.False(result.Accepted);
        Assert.Equal(cluster.Raft(1).LastIndex, cluster.Raft(2).LastIndex);
    }

    [Fact]
    public void A_node_that_knows_no_leader_refuses_with_NoLeader()
    {
        var cluster = TestCluster.OfSize(3);
        var result = cluster.Propose(2, "x");

        Assert.Equal(DroppedReason.NoLeader, result.Reason);
        Assert.Equal(NodeId.None, result.LeaderHint);
    }

    [Fact]
    public void An_accepted_proposal_reports_its_index_and_term()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        var result = cluster.Propose(1, "x");
        cluster.Deliver();

        Assert.Equal(new ProposeResult(DroppedReason.None, new LogIndex(2), new Term(1), new NodeId(1)), result);
        Assert.Contains(cluster[2].AppliedEntries, e => e.Index == result.Index && e.Term == result.Term);
    }

    [Fact]
    public void A_leader_over_its_uncommitted_budget_refuses_with_UncommittedLimit_until_entries_commit()
    {
        var cluster = TestCluster.OfSize(3, o => o with { MaxUncommittedBytes = 200 });
        cluster.Elect(1);
        cluster.Isolate(1);

        Assert.True(cluster.Propose(1, new string('a', 60)).Accepted); // 84 bytes
        Assert.True(cluster.Propose(1, new string('b', 60)).Accepted); // 168 bytes
        var refused = cluster.Propose(1, new string('c', 60)); // would be 252
        Assert.Equal(DroppedReason.UncommittedLimit, refused.Reason);

        cluster.Heal();
        cluster.Tick(2);
        Assert.True(cluster.Propose(1, new string('c', 60)).Accepted);
    }

    [Fact]
    public void Membership_add_a_learner_then_promote_it_to_voter()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "x");
        // The joiner is told the bootstrap membership (see the empty-storage test below for why that is needed).
        cluster.Add(4, new MemoryRaftStorage(ConfState.OfVoters(1, 2, 3)));

        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.AddLearner, 4).Accepted);
        cluster.Deliver();
        Assert.All(cluster.Nodes.Values, n => Assert.Equal([new NodeId(4)], n.Raft.Config.Learners));
        Assert.Equal(["x"], cluster[4].Values);
        Assert.False(cluster.Raft(4).Promotable);

        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.AddVoter, 4).Accepted);
        cluster.Deliver();
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(4, n.Raft.Config.Voters.Length));
        Assert.Empty(cluster.Raft(1).Config.Learners);
        Assert.True(cluster.Raft(4).Promotable);

        // Four voters need three acks: with 3 and 4 down nothing commits.
        cluster.Crash(3);
        cluster.Crash(4);
        cluster.Propose(1, "y");
        cluster.Deliver();
        Assert.Equal(["x"], cluster[1].Values);
    }

    [Fact]
    public void Membership_a_node_joining_from_empty_storage_learns_the_whole_membership()
    {
        // A joiner that starts from empty storage replays the log from index 1, so the founding membership must be in
        // the log (ForNewCluster writes it as AddVoter entries). Were it only in index-0 snapshot metadata, the joiner
        // would believe it is the only voter after AddVoter, and alone elect itself: two leaders.
        var cluster = new TestCluster([1, 2, 3], membershipInLog: true);
        cluster.Elect(1);
        cluster.Add(4, new MemoryRaftStorage());
        cluster.ProposeConfChange(1, ConfChangeType.AddLearner, 4);
        cluster.Deliver();
        cluster.ProposeConfChange(1, ConfChangeType.AddVoter, 4);
        cluster.Deliver();

        Assert.Equal(cluster.Raft(1).Config, cluster.Raft(4).Config);
        cluster.Isolate(4);
        cluster.Tick(40, 4);
        Assert.NotEqual(StateRole.Leader, cluster.Raft(4).Role);
    }

    [Fact]
    public void Membership_remove_a_follower_and_keep_committing_with_the_rest()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.RemoveNode, 3).Accepted);
        cluster.Deliver();
        Assert.Equal([new NodeId(1), new NodeId(2)], cluster.Raft(1).Config.Voters);

        cluster.Crash(3);
        cluster.Propose(1, "x");
        cluster.Deliver();
        Assert.Equal(["x"], cluster[2].Values);
    }

    [Fact]
    public void Membership_removing_the_leader_makes_it_step_down_and_another_leader_emerges()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.RemoveNode, 1).Accepted);
        cluster.Deliver();

        Assert.NotEqual(StateRole.Leader, cluster.Raft(1).Role);
        cluster.TickUntil(() => cluster.Raft(2).Role == StateRole.Leader || cluster.Raft(3).Role == StateRole.Leader, 40, 2, 3);
        var leader = cluster.Leader()!;
        Assert.NotEqual(1UL, leader.Id);
        Assert.Equal([new NodeId(2), new NodeId(3)], leader.Raft.Config.Voters);
        Assert.True(cluster.Propose(leader.Id, "after").Accepted);
        cluster.Deliver();
        Assert.Equal(["after"], cluster[2].Values);
        Assert.Equal(["after"], cluster[3].Values);
        Assert.False(cluster.Propose(1, "from-removed").Accepted);
    }

    [Fact]
    public void Membership_a_removed_leader_hands_over_without_waiting_for_an_election_timeout()
    {
        // BUGS-FOUND.md #2: the TimeoutNow sent on self-removal reaches the target after the append that told it the
        // change committed, but before it applied it, so the target refuses to campaign and the cluster sits
        // leaderless for an election timeout.
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.ProposeConfChange(1, ConfChangeType.RemoveNode, 1);
        cluster.Deliver();

        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.TimeoutNow);
        Assert.True(cluster.Raft(2).Role == StateRole.Leader || cluster.Raft(3).Role == StateRole.Leader, "no leader without a tick");
    }

    [Fact]
    public void Membership_a_removed_leader_catches_its_best_voter_up_before_handing_over()
    {
        // BUGS-FOUND.md #4 (Chaos seed 5000321): when no voter held the whole log at the moment the removal applied,
        // the leader stepped down without a hand-off and two voters then split the vote for several timeouts.
        var (cluster, tailHeld) = RemovedLeaderWithUnreplicatedTail();

        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        Assert.True(cluster.Raft(1).LeadTransferee.IsSome, "the removed leader hands over as a transfer");
        Assert.Equal(DroppedReason.Removed, cluster.Propose(1, "refused").Reason);

        tailHeld.Value = false;
        cluster.Tick(1, 1);

        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.TimeoutNow);
        var leader = cluster.Leader();
        Assert.NotNull(leader);
        Assert.NotEqual(1UL, leader.Id);
        Assert.Equal(["tail"], cluster[leader.Id].Values);
    }

    [Fact]
    public void Membership_a_removed_leader_whose_hand_over_stalls_steps_down_after_an_election_timeout()
    {
        var (cluster, _) = RemovedLeaderWithUnreplicatedTail();

        cluster.Tick(TestCluster.DefaultOptions(1).ElectionTimeoutTicks - 1, 1);
        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
        cluster.Tick(1, 1);

        Assert.Equal(StateRole.Follower, cluster.Raft(1).Role);
    }

    /// <summary>Leader 1 applies its own removal while its last entry ("tail") has reached no follower.</summary>
    private static (TestCluster Cluster, StrongBox<bool> TailHeld) RemovedLeaderWithUnreplicatedTail()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        var removal = cluster.ProposeConfChange(1, ConfChangeType.RemoveNode, 1);
        var tailHeld = new StrongBox<bool>(true);
        cluster.DropWhere(m => tailHeld.Value && m.Type == MessageType.Append && m.Entries.Any(e => e.Index > removal.Index));
        Assert.True(cluster.Propose(1, "tail").Accepted);
        cluster.Deliver();
        Assert.Equal(removal.Index, cluster.Raft(1).CommitIndex);
        return (cluster, tailHeld);
    }

    [Fact]
    public void Membership_a_second_change_is_refused_while_one_is_pending()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Isolate(1);
        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.AddLearner, 4).Accepted);

        var second = cluster.ProposeConfChange(1, ConfChangeType.AddLearner, 5);

        Assert.Equal(DroppedReason.ConfChangePending, second.Reason);
        cluster.Heal();
        cluster.Tick(2);
        Assert.True(cluster.ProposeConfChange(1, ConfChangeType.AddLearner, 5).Accepted);
    }

    [Fact]
    public void Membership_change_is_refused_before_the_leader_commits_an_entry_of_its_term()
    {
        var leader = new SoloNode(1, [1, 2, 3]);
        leader.BecomeLeaderWithVotesFrom(2);

        var early = leader.Raft.ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, new NodeId(4)));
        Assert.Equal(DroppedReason.LeaderNotReady, early.Reason);

        leader.Step(new Message { Type = MessageType.AppendResponse, From = new NodeId(2), To = new NodeId(1), Term = leader.Raft.Term, Index = new LogIndex(1) });
        Assert.True(leader.Raft.ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, new NodeId(4))).Accepted);
    }

    [Theory]
    [InlineData(ConfChangeType.AddVoter, 2UL)]
    [InlineData(ConfChangeType.RemoveNode, 9UL)]
    [InlineData(ConfChangeType.AddLearner, 3UL)]
    public void Membership_an_invalid_change_is_refused(ConfChangeType type, ulong target)
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);

        Assert.Equal(DroppedReason.InvalidConfChange, cluster.ProposeConfChange(1, type, target).Reason);
    }

    [Fact]
    public void A_proposal_cutoff_is_reported_once_each_time_the_committed_term_rises()
    {
        // Without PreVote and CheckQuorum a campaign deposes a live leader at once, which keeps the test short.
        var cluster = TestCluster.OfSize(3, o => o with { PreVote = false, CheckQuorum = false });
        cluster.Elect(1);
        cluster.Propose(1, "x");
        cluster.Deliver();
        cluster.Elect(2);
        cluster.Propose(2, "y");
        cluster.Deliver();

        // Term 1 commits its no-op at 1 and "x" at 2; term 2 commits its no-op at 3 and "y" at 4.
        ProposalCutoff[] expected = [new(new LogIndex(1), new Term(1)), new(new LogIndex(3), new Term(2))];
        foreach (var node in cluster.Nodes.Values)
        {
            Assert.Equal(expected, node.Readies.Where(r => r.ProposalCutoff is not null).Select(r => r.ProposalCutoff!.Value));
        }
    }

    [Fact]
    public void A_cutoff_rules_out_only_earlier_terms_above_its_index()
    {
        var cutoff = new ProposalCutoff(new LogIndex(10), new Term(3));

        Assert.True(cutoff.RulesOut(new LogIndex(11), new Term(2)));
        // At or below the commit the applied entry decides; the cutoff's own term (and later ones) may still commit.
        Assert.False(cutoff.RulesOut(new LogIndex(10), new Term(2)));
        Assert.False(cutoff.RulesOut(new LogIndex(11), new Term(3)));
        Assert.False(cutoff.RulesOut(new LogIndex(11), new Term(4)));
    }

    [Fact]
    public void A_deposed_leaders_proposal_fails_when_a_newer_term_commits_even_if_its_index_is_never_reused()
    {
        var cluster = TestCluster.OfSize(3, o => o with { PreVote = false, CheckQuorum = false });
        cluster.Elect(1);
        cluster.Isolate(1);
        var overwritten = cluster.Propose(1, "overwritten");
        var vanished = cluster.Propose(1, "vanished");
        cluster.Elect(2);
        cluster.Heal();
        cluster.Tick(3);

        // Node 2's no-op takes index 2; its log ends there, so index 3 stays empty in this quiet cluster.
        Assert.Equal(new LogIndex(2), cluster.Raft(1).LastIndex);
        Assert.Equal(new LogIndex(3), vanished.Index);
        Assert.Empty(cluster[1].PendingProposals);
        Assert.Contains((overwritten.Index, overwritten.Term), cluster[1].FailedProposals);
        Assert.Contains((vanished.Index, vanished.Term), cluster[1].FailedProposals);
    }
}
