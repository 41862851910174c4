using ProgressState = Distate.Raft.Progress.ProgressState;

namespace Distate.Raft.Tests;

/// <summary>
/// Proves replication beyond the happy path: a follower whose entries the leader compacted away is sent a snapshot,
/// installs it and catches up; flow-control limits hold per message (MaxAppendBytes) and per follower
/// (MaxInflightMessages). Limits are checked on every message the cluster delivered.
/// </summary>
public sealed class RaftNodeReplicationTests
{
    [Fact]
    public void A_lagging_follower_gets_a_snapshot_installs_it_and_catches_up()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Crash(3);
        foreach (var value in new[] { "a", "b", "c", "d" })
        {
            cluster.Propose(1, value);
        }

        cluster.Deliver();
        cluster.Compact(1, 4);
        cluster.Restart(3);
        cluster.Propose(1, "e");
        cluster.Tick(3);

        Assert.Contains(cluster.Delivered, m => m.Type == MessageType.Snapshot && m.To.Value == 3 && m.Snapshot!.Metadata.Index == new LogIndex(4));
        Assert.Equal(new LogIndex(5), cluster[3].Storage.FirstIndex());
        Assert.Equal(["a", "b", "c", "d", "e"], cluster[3].Values);
        Assert.Equal(cluster.Raft(1).LastIndex, cluster.Raft(3).LastIndex);
        Assert.Equal(ProgressState.Replicate, ProgressStateOf(cluster, 3));
    }

    [Fact]
    public void A_restarted_node_restores_its_state_machine_from_its_own_snapshot()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        cluster.Propose(1, "a");
        cluster.Propose(1, "b");
        cluster.Deliver();
        cluster.Compact(2, 2);
        cluster.Crash(2);
        cluster.Restart(2);
        cluster.Tick(2);

        Assert.Equal(["a", "b"], cluster[2].Values);
        Assert.DoesNotContain(cluster[2].AppliedEntries, e => e.Index <= new LogIndex(2));
    }

    [Fact]
    public void MaxAppendBytes_bounds_every_append_message()
    {
        var cluster = TestCluster.OfSize(3, o => o with { MaxAppendBytes = 300 });
        cluster.Elect(1);
        cluster.Partition([1, 2], [3]);
        for (var i = 0; i < 8; i++)
        {
            cluster.Propose(1, new string('x', 100)); // 124 bytes each with the entry header
        }

        cluster.Deliver();
        cluster.Heal();
        cluster.Tick(3);

        var appends = cluster.Delivered.Where(m => m.Type == MessageType.Append && m.Entries.Length > 0).ToList();
        Assert.All(appends, m => Assert.True(m.PayloadBytes <= 300 || m.Entries.Length == 1, m.ToString()));
        Assert.Contains(appends, m => m.Entries.Length == 2);
        Assert.Equal(9, cluster[3].AppliedEntries.Count);
    }

    [Fact]
    public void MaxAppendBytes_still_sends_a_single_oversized_entry()
    {
        var cluster = TestCluster.OfSize(3, o => o with { MaxAppendBytes = 10 });
        cluster.Elect(1);
        cluster.Propose(1, new string('y', 50));
        cluster.Deliver();

        Assert.All(cluster.Nodes.Values, n => Assert.Equal(new string('y', 50), Assert.Single(n.Values)));
    }

    [Fact]
    public void MaxInflightMessages_bounds_unacknowledged_appends_to_one_follower()
    {
        var cluster = TestCluster.OfSize(3, o => o with { MaxInflightMessages = 2 });
        cluster.Elect(1);
        cluster.Cut(2, 1); // acknowledgements from 2 are lost; 3 keeps the cluster committing
        var before = cluster.Delivered.Count;
        for (var i = 0; i < 6; i++)
        {
            cluster.Propose(1, $"v{i}");
            cluster.Deliver();
        }

        var toTwo = cluster.Delivered.Skip(before).Count(m => m.Type == MessageType.Append && m.To.Value == 2 && m.Entries.Length > 0);
        var toThree = cluster.Delivered.Skip(before).Count(m => m.Type == MessageType.Append && m.To.Value == 3 && m.Entries.Length > 0);
        Assert.Equal(2, toTwo);
        Assert.Equal(6, toThree);

        cluster.Heal();
        cluster.Tick(3);
        Assert.Equal(6, cluster[2].Values.Count);
    }

    [Fact]
    public void An_unreachable_report_moves_a_pipelining_follower_back_to_probe()
    {
        var cluster = TestCluster.OfSize(3);
        cluster.Elect(1);
        Assert.Equal(ProgressState.Replicate, ProgressStateOf(cluster, 2));

        cluster.Raft(1).ReportUnreachable(new NodeId(2));

        Assert.Equal(ProgressState.Probe, ProgressStateOf(cluster, 2));
    }

    private static ProgressState ProgressStateOf(TestCluster cluster, ulong follower) =>
        cluster.Leader()!.Raft.Status().Progress[new NodeId(follower)].State;
}
