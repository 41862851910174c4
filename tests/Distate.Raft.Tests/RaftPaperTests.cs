namespace Distate.Raft.Tests;

/// <summary>
/// Proves the rules of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable Consensus
/// Algorithm", §5), section by section. Message-level rules drive one core by hand (<see cref="SoloNode"/>, the test
/// plays the peers); cluster-level rules run a deterministic <see cref="TestCluster"/>. PreVote and CheckQuorum are
/// turned off where the paper's plain algorithm is meant (they have their own tests).
/// </summary>
public sealed class RaftPaperTests
{
    private static readonly ulong[] Three = [1, 2, 3];
    private static readonly ulong[] Five = [1, 2, 3, 4, 5];

    private static RaftOptions Plain(RaftOptions o) => o with { PreVote = false, CheckQuorum = false };

    // §5.1 — terms: a node seeing a higher term adopts it and becomes follower; a stale term is rejected.

    [Theory]
    [InlineData(StateRole.Follower)]
    [InlineData(StateRole.Candidate)]
    [InlineData(StateRole.Leader)]
    public void S5_1_any_role_seeing_a_higher_term_adopts_it_and_follows(StateRole role)
    {
        var node = new SoloNode(1, Three, Plain);
        if (role == StateRole.Candidate)
        {
            node.Raft.Campaign();
            node.Flush();
        }
        else if (role == StateRole.Leader)
        {
            node.BecomeLeaderWithVotesFrom(2);
        }

        Assert.Equal(role, node.Raft.Role);
        node.Step(new Message { Type = MessageType.Append, From = new NodeId(2), To = new NodeId(1), Term = new Term(7) });

        Assert.Equal(StateRole.Follower, node.Raft.Role);
        Assert.Equal(new Term(7), node.Raft.Term);
        Assert.Equal(new NodeId(2), node.Raft.Leader);
        Assert.Equal(new Term(7), node.Storage.HardState.Term);
    }

    [Fact]
    public void S5_1_append_from_a_stale_term_is_rejected_and_answered_with_the_current_term()
    {
        var node = new SoloNode(1, Three, storage: SoloNode.StorageWithLog(Three, term: 3, 1, 1));
        var stale = new Message
        {
            Type = MessageType.Append, From = new NodeId(2), To = new NodeId(1), Term = new Term(2),
            Index = new LogIndex(2), LogTerm = new Term(1), Entries = SoloNode.Entries(3, 2), Commit = new LogIndex(3),
        };

        var sent = node.Step(stale);

        Assert.Equal(new LogIndex(2), node.Raft.LastIndex);
        Assert.Equal(LogIndex.Zero, node.Raft.CommitIndex);
        Assert.Equal(new Term(3), node.Raft.Term);
        Assert.Equal(NodeId.None, node.Raft.Leader);
        var answer = Assert.Single(sent);
        Assert.Equal(MessageType.AppendResponse, answer.Type);
        Assert.Equal(new Term(3), answer.Term);
    }

    [Fact]
    public void S5_1_vote_request_from_a_stale_term_is_not_granted()
    {
        var node = new SoloNode(1, Three, Plain, SoloNode.StorageWithLog(Three, term: 5));
        var sent = node.Step(new Message
        {
            Type = MessageType.Vote, From = new NodeId(2), To = new NodeId(1), Term = new Term(4), Index = new LogIndex(9), LogTerm = new Term(4),
        });

        Assert.DoesNotContain(sent, m => m.Type == MessageType.VoteResponse && !m.Reject);
        Assert.Equal(NodeId.None, node.Raft.Vote);
        Assert.Equal(new Term(5), node.Raft.Term);
    }

    [Fact]
    public void S5_1_a_deposed_leader_learns_the_new_term_from_a_stale_heartbeat_answer_and_steps_down()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Partition([2, 3], [1]);
        // Node 1 does not tick, so it neither steps down (CheckQuorum) nor notices: it still believes it leads.
        cluster.TickUntil(() => cluster.Raft(2).Role == StateRole.Leader || cluster.Raft(3).Role == StateRole.Leader, 100, 2, 3);
        var newLeader = cluster.Leader()!;
        Assert.NotEqual(1UL, newLeader.Id);
        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);

        cluster.Heal();
        cluster.Tick(1, 1);

        Assert.Equal(StateRole.Follower, cluster.Raft(1).Role);
        Assert.Equal(newLeader.Raft.Term, cluster.Raft(1).Term);
    }

    // §5.2 — leader election.

    [Fact]
    public void S5_2_a_follower_campaigns_after_a_randomized_timeout_in_T_to_2T()
    {
        var timeouts = new HashSet<int>();
        for (ulong seed = 1; seed <= 40; seed++)
        {
            var node = new SoloNode(1, Three, o => Plain(o) with { RandomSeed = seed });
            var ticks = 0;
            while (node.Raft.Role == StateRole.Follower)
            {
                node.Tick();
                ticks++;
                Assert.True(ticks < 20, $"seed {seed}: no election within 2T");
            }

            Assert.Equal(StateRole.Candidate, node.Raft.Role);
            Assert.InRange(ticks, 10, 19);
            timeouts.Add(ticks);
        }

        // Randomization is what keeps split votes rare: the timeouts must actually differ.
        Assert.True(timeouts.Count >= 5, $"only {timeouts.Count} distinct timeouts");
    }

    [Fact]
    public void S5_2_a_candidate_votes_for_itself_and_asks_every_other_voter()
    {
        var node = new SoloNode(1, Five, Plain);
        node.Raft.Campaign();
        var sent = node.Flush();

        Assert.Equal(StateRole.Candidate, node.Raft.Role);
        Assert.Equal(new Term(1), node.Raft.Term);
        Assert.Equal(new NodeId(1), node.Storage.HardState.Vote);
        Assert.Equal(new ulong[] { 2, 3, 4, 5 }, sent.Where(m => m.Type == MessageType.Vote).Select(m => m.To.Value).Order());
    }

    [Fact]
    public void S5_2_a_node_votes_at_most_once_per_term()
    {
        var node = new SoloNode(1, Three, Plain);
        Message Vote(ulong from) => new()
        {
            Type = MessageType.Vote, From = new NodeId(from), To = new NodeId(1), Term = new Term(1), Index = LogIndex.Zero, LogTerm = Term.Zero,
        };

        var first = node.Step(Vote(2));
        var second = node.Step(Vote(3));
        var repeat = node.Step(Vote(2));

        Assert.False(Assert.Single(first).Reject);
        Assert.True(Assert.Single(second).Reject);
        Assert.False(Assert.Single(repeat).Reject); // a retransmitted request from the same candidate is re-granted
        Assert.Equal(new NodeId(2), node.Raft.Vote);
    }

    [Fact]
    public void S5_2_a_candidate_with_a_majority_becomes_leader_and_sends_its_no_op()
    {
        var node = new SoloNode(1, Five, Plain);
        var sent = node.BecomeLeaderWithVotesFrom(2, 3);

        Assert.Equal(StateRole.Leader, node.Raft.Role);
        Assert.Equal(4, sent.Count(m => m.Type == MessageType.Append));
        Assert.All(sent.Where(m => m.Type == MessageType.Append), m => Assert.Equal(new Term(1), Assert.Single(m.Entries).Term));
    }

    [Fact]
    public void S5_2_a_candidate_rejected_by_a_majority_returns_to_follower()
    {
        var node = new SoloNode(1, Five, Plain);
        node.Raft.Campaign();
        node.Flush();
        foreach (var voter in new ulong[] { 2, 3, 4 })
        {
            node.Step(new Message { Type = MessageType.VoteResponse, From = new NodeId(voter), To = new NodeId(1), Term = node.Raft.Term, Reject = true });
        }

        Assert.Equal(StateRole.Follower, node.Raft.Role);
    }

    [Fact]
    public void S5_2_a_candidate_steps_down_on_an_append_from_a_leader_of_its_term()
    {
        var node = new SoloNode(1, Three, Plain);
        node.Raft.Campaign();
        node.Flush();
        node.Step(new Message { Type = MessageType.Append, From = new NodeId(2), To = new NodeId(1), Term = node.Raft.Term });

        Assert.Equal(StateRole.Follower, node.Raft.Role);
        Assert.Equal(new NodeId(2), node.Raft.Leader);
        Assert.Equal(new Term(1), node.Raft.Term);
    }

    [Fact]
    public void S5_2_a_candidate_steps_down_on_a_higher_term_in_a_vote_response()
    {
        var node = new SoloNode(1, Three, Plain);
        node.Raft.Campaign();
        node.Flush();
        node.Step(new Message { Type = MessageType.VoteResponse, From = new NodeId(2), To = new NodeId(1), Term = new Term(4), Reject = true });

        Assert.Equal(StateRole.Follower, node.Raft.Role);
        Assert.Equal(new Term(4), node.Raft.Term);
    }

    [Fact]
    public void S5_2_a_cluster_elects_exactly_one_leader_by_timeouts_alone()
    {
        var cluster = TestCluster.OfSize(5);
        cluster.Tick(30);

        var leaders = cluster.Nodes.Values.Where(n => n.Raft.Role == StateRole.Leader).ToList();
        var leader = Assert.Single(leaders);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(leader.Raft.Term, n.Raft.Term));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(leader.Raft.Id, n.Raft.Leader));
    }

    // §5.3 — log replication.

    [Fact]
    public void S5_3_a_proposal_is_replicated_committed_and_applied_everywhere_in_order()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "x");
        cluster.Propose(1, "y");
        cluster.Deliver();

        Assert.All(cluster.Nodes.Values, n => Assert.Equal(["x", "y"], n.Values));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(new LogIndex(3), n.Raft.CommitIndex));
    }

    [Fact]
    public void S5_3_follower_rejects_an_append_whose_previous_entry_does_not_match()
    {
        var node = new SoloNode(1, Three, Plain, SoloNode.StorageWithLog(Three, 2, 1, 1));
        var sent = node.Step(new Message
        {
            Type = MessageType.Append, From = new NodeId(2), To = new NodeId(1), Term = new Term(2),
            Index = new LogIndex(2), LogTerm = new Term(2), Entries = SoloNode.Entries(3, 2),
        });

        var answer = Assert.Single(sent);
        Assert.True(answer.Reject);
        Assert.Equal(new LogIndex(2), answer.Index);
        Assert.Equal(new LogIndex(2), node.Raft.LastIndex);
    }

    [Fact]
    public void S5_3_log_matching_after_conflicting_appends_replaces_the_follower_suffix()
    {
        // Follower log: 1 1 2 2 2 (terms). Leader of term 4 has 1 1 3 3; the follower's entries from index 3 conflict.
        var follower = new SoloNode(2, Three, Plain, SoloNode.StorageWithLog(Three, 3, 1, 1, 2, 2, 2));
        var sent = follower.Step(new Message
        {
            Type = MessageType.Append, From = new NodeId(1), To = new NodeId(2), Term = new Term(4),
            Index = new LogIndex(2), LogTerm = new Term(1), Entries = SoloNode.Entries(3, 3, 3), Commit = new LogIndex(4),
        });

        Assert.False(Assert.Single(sent).Reject);
        Assert.Equal("1/1 1/2 3/3 3/4", TestCluster.LogOf(follower.Raft));
        Assert.Equal(new LogIndex(4), follower.Storage.LastIndex());
        Assert.Equal(new Term(3), follower.Storage.TermAt(new LogIndex(4)));
        Assert.Equal(new LogIndex(4), follower.Raft.CommitIndex);
    }

    [Fact]
    public void S5_3_an_append_already_in_the_log_does_not_truncate_later_entries()
    {
        var follower = new SoloNode(2, Three, Plain, SoloNode.StorageWithLog(Three, 2, 1, 2, 2));
        var sent = follower.Step(new Message
        {
            Type = MessageType.Append, From = new NodeId(1), To = new NodeId(2), Term = new Term(2),
            Index = new LogIndex(1), LogTerm = new Term(1), Entries = SoloNode.Entries(2, 2),
        });

        Assert.False(Assert.Single(sent).Reject);
        Assert.Equal("1/1 2/2 2/3", TestCluster.LogOf(follower.Raft));
    }

    [Fact]
    public void S5_3_a_cluster_converges_to_the_leaders_log_after_a_deposed_leader_appended_alone()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Partition([1], [2, 3]);
        Assert.True(cluster.Propose(1, "lost-a").Accepted);
        Assert.True(cluster.Propose(1, "lost-b").Accepted);
        cluster.Tick(30);
        var leader = cluster.Leader()!;
        Assert.NotEqual(1UL, leader.Id);
        cluster.Propose(leader.Id, "kept");
        cluster.Heal();
        cluster.Tick(3);

        var expected = TestCluster.LogOf(leader.Raft);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(expected, TestCluster.LogOf(n.Raft)));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(["kept"], n.Values));
        Assert.DoesNotContain(cluster[1].AppliedEntries, e => e.Data.Length == "lost-a".Length);
    }

    [Fact]
    public void S5_3_fast_back_off_skips_a_whole_conflicting_term_in_one_rejection()
    {
        // Leader (term 5): 1 1 1 5 5 5 5 5 5 5. Follower: 1 1 1 3 3 3 3 3 3 3 3 3 (ten entries of term 3 conflict).
        var leader = new SoloNode(1, [1, 2], Plain, SoloNode.StorageWithLog([1, 2], 4, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4));
        var follower = new SoloNode(2, [1, 2], Plain, SoloNode.StorageWithLog([1, 2], 4, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3));
        var toFollower = leader.BecomeLeaderWithVotesFrom(2).Where(m => m.To == new NodeId(2)).ToList();

        var rejections = 0;
        for (var round = 0; round < 20 && toFollower.Count > 0; round++)
        {
            var replies = toFollower.SelectMany(follower.Step).ToList();
            rejections += replies.Count(r => r.Type == MessageType.AppendResponse && r.Reject);
            toFollower = replies.SelectMany(leader.Step).Where(m => m.Type == MessageType.Append).ToList();
        }

        Assert.Equal(TestCluster.LogOf(leader.Raft), TestCluster.LogOf(follower.Raft));
        // Index-by-index back-off would need 9 rejections; the conflict hint needs one.
        Assert.Equal(1, rejections);
    }

    // §5.4 — safety: election restriction and commit of current-term entries only.

    [Theory]
    [InlineData(3UL, 1UL, true)] // higher last term wins even with a shorter log
    [InlineData(1UL, 9UL, false)] // lower last term loses even with a longer log
    [InlineData(2UL, 2UL, false)] // same last term, shorter log: loses
    [InlineData(2UL, 3UL, true)] // same last term and length: wins
    [InlineData(2UL, 4UL, true)] // same last term, longer log: wins
    public void S5_4_1_a_vote_goes_only_to_a_candidate_whose_log_is_at_least_as_up_to_date(ulong lastTerm, ulong lastIndex, bool granted)
    {
        // Voter's log: 1 1 2 (last 2/3).
        var voter = new SoloNode(1, Three, Plain, SoloNode.StorageWithLog(Three, 2, 1, 1, 2));
        var sent = voter.Step(new Message
        {
            Type = MessageType.Vote, From = new NodeId(2), To = new NodeId(1), Term = new Term(3),
            Index = new LogIndex(lastIndex), LogTerm = new Term(lastTerm),
        });

        Assert.Equal(!granted, Assert.Single(sent).Reject);
        Assert.Equal(granted ? new NodeId(2) : NodeId.None, voter.Raft.Vote);
    }

    [Fact]
    public void S5_4_2_an_old_term_entry_on_a_majority_is_not_committed_by_counting_replicas()
    {
        // Figure 8 (c): the leader of term 4 holds 1/1 2/2, replicated to a majority, plus its own 4/3 (its no-op).
        var leader = new SoloNode(1, Five, Plain, SoloNode.StorageWithLog(Five, 3, 1, 2));
        leader.BecomeLeaderWithVotesFrom(2, 3);
        Assert.Equal(new Term(4), leader.Raft.Term);
        Assert.Equal(new LogIndex(3), leader.Raft.LastIndex);

        Message Ack(ulong from, ulong index) => new()
        {
            Type = MessageType.AppendResponse, From = new NodeId(from), To = new NodeId(1), Term = new Term(4), Index = new LogIndex(index),
        };

        leader.Step(Ack(2, 2));
        leader.Step(Ack(3, 2));
        Assert.Equal(LogIndex.Zero, leader.Raft.CommitIndex); // 2/2 is on 1, 2, 3 but is of term 2

        leader.Step(Ack(2, 3));
        Assert.Equal(LogIndex.Zero, leader.Raft.CommitIndex); // 4/3 only on 1 and 2

        leader.Step(Ack(3, 3));
        Assert.Equal(new LogIndex(3), leader.Raft.CommitIndex); // 4/3 on a majority commits it and, with it, 2/2
        Assert.Equal([1UL, 2, 3], leader.Applied.Select(e => e.Index.Value));
    }

    [Fact]
    public void S5_4_2_figure_8_the_old_entry_that_was_not_committed_may_be_overwritten_safely()
    {
        var cluster = TestCluster.OfSize(5, o => Plain(o) with { MaxAppendBytes = 1 });
        cluster.Elect(1); // term 1, no-op 1/1 everywhere
        // (a) leader 1 replicates 1/2 to node 2 only.
        cluster.Partition([1, 2], [3], [4], [5]);
        cluster.Propose(1, "a");
        cluster.Deliver();
        Assert.Equal(new LogIndex(2), cluster.Raft(2).LastIndex);
        // (b) 1 crashes; 5 is elected by 3, 4 and itself; its no-op 2/2 stays on 5 alone.
        cluster.Crash(1);
        cluster.Partition([2], [3, 4, 5]);
        cluster.DropWhere(m => m.From.Value == 5 && m.Type == MessageType.Append);
        cluster.Elect(5);
        Assert.Equal("1/1 2/2", TestCluster.LogOf(cluster.Raft(5)));
        cluster.Crash(5);
        // (c) 1 restarts and wins term 3 (with 2, 3 and 4); it replicates 1/2 to 3 and 4 but its own 3/3 to nobody.
        cluster.Heal();
        cluster.Restart(1);
        cluster.Partition([1, 2, 3, 4], [5]);
        // Appends carrying 3/3 are dropped unless bound to be refused (3 and 4 lack index 2 until the back-off).
        cluster.DropWhere(m => m.From.Value == 1 && m.Type == MessageType.Append && m.Entries.Any(e => e.Index.Value == 3) &&
            (m.To.Value == 2 || cluster.Raft(m.To.Value).LastIndex.Value >= 2));
        CampaignUntilLeader(cluster, 1);
        Assert.Equal(new Term(3), cluster.Raft(1).Term);
        Assert.Equal("1/1 1/2", TestCluster.LogOf(cluster.Raft(3)));
        Assert.Equal("1/1 1/2", TestCluster.LogOf(cluster.Raft(4)));
        var progress = cluster.Raft(1).Status().Progress;
        Assert.Equal(new LogIndex(2), progress[new NodeId(3)].Match);
        Assert.Equal(new LogIndex(2), progress[new NodeId(4)].Match);
        // The leader knows 1/2 is on 1, 3 and 4 — a majority — and still must not commit it: it is not of term 3.
        Assert.Equal(new LogIndex(1), cluster.Raft(1).CommitIndex);

        // (d) 1 crashes; 5 restarts and is elected (its last term 2 beats everyone's 1): it overwrites index 2.
        cluster.Crash(1);
        cluster.Heal();
        cluster.Restart(5);
        CampaignUntilLeader(cluster, 5);
        cluster.Deliver();
        Assert.All(new ulong[] { 2, 3, 4, 5 }, id => Assert.Equal(new Term(2), cluster.Raft(id).Log.TermOrZero(new LogIndex(2))));
        Assert.All(new ulong[] { 2, 3, 4, 5 }, id => Assert.True(cluster.Raft(id).CommitIndex >= new LogIndex(3)));
        Assert.All(cluster.Nodes.Values, n => Assert.DoesNotContain("a", n.Values));
    }

    private static void CampaignUntilLeader(TestCluster cluster, ulong id)
    {
        for (var attempt = 0; attempt < 5 && cluster.Raft(id).Role != StateRole.Leader; attempt++)
        {
            // An attempt can lose to votes already cast in that term; the next term is free.
            cluster.Campaign(id);
            cluster.Deliver();
        }

        Assert.Equal(StateRole.Leader, cluster.Raft(id).Role);
    }

    [Fact]
    public void S5_4_3_committed_entries_survive_every_later_leader()
    {
        var cluster = TestCluster.OfSize(5);
        cluster.Elect(1);
        cluster.Propose(1, "x");
        cluster.Deliver();
        for (ulong next = 2; next <= 5; next++)
        {
            cluster.Crash(next - 1);
            cluster.Tick(40);
            var leader = cluster.Leader()!;
            Assert.True(leader.Raft.Log.MatchTerm(new LogIndex(2), new Term(1)), $"leader {leader.Id} lost committed 1/2");
            cluster.Restart(next - 1);
            cluster.Tick(3);
        }

        Assert.All(cluster.Nodes.Values, n => Assert.Equal("x", n.Values[0]));
    }

    // §5.5 — follower and candidate crashes: a restarted node resumes from what it persisted.

    [Fact]
    public void S5_5_a_crashed_follower_restarts_from_storage_and_catches_up()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "before");
        cluster.Deliver();
        cluster.Crash(3);
        cluster.Propose(1, "during");
        cluster.Deliver();
        Assert.Equal(["before"], cluster[3].Values);

        cluster.Restart(3);
        Assert.Equal(new Term(1), cluster.Raft(3).Term);
        Assert.Equal(new LogIndex(2), cluster.Raft(3).LastIndex);
        cluster.Tick(2);

        Assert.Equal(["before", "during"], cluster[3].Values);
        Assert.Equal(StateRole.Leader, cluster.Raft(1).Role);
    }

    [Fact]
    public void S5_5_a_crashed_candidate_keeps_its_term_and_self_vote()
    {
        var node = new SoloNode(1, Three, Plain);
        node.Raft.Campaign();
        node.Flush();
        node.Restart();

        Assert.Equal(new Term(1), node.Raft.Term);
        Assert.Equal(new NodeId(1), node.Raft.Vote);
        Assert.Equal(StateRole.Follower, node.Raft.Role);
        var sent = node.Step(new Message { Type = MessageType.Vote, From = new NodeId(2), To = new NodeId(1), Term = new Term(1) });
        Assert.True(Assert.Single(sent).Reject);
    }

    [Fact]
    public void S5_5_a_retransmitted_append_is_harmless()
    {
        var follower = new SoloNode(2, Three, Plain);
        var append = new Message
        {
            Type = MessageType.Append, From = new NodeId(1), To = new NodeId(2), Term = new Term(1),
            Index = LogIndex.Zero, LogTerm = Term.Zero, Entries = SoloNode.Entries(1, 1, 1), Commit = new LogIndex(2),
        };

        follower.Step(append);
        var again = follower.Step(append);

        Assert.False(Assert.Single(again).Reject);
        Assert.Equal("1/1 1/2", TestCluster.LogOf(follower.Raft));
        Assert.Equal(2, follower.Applied.Count);
    }
}
