using Distate.Raft;

namespace Distate.Simulation;

/// <summary>Fault injection: partitions, one-way cuts, crashes, restarts, membership changes, transfers.</summary>
public sealed partial class SimCluster
{
    private const int MaxAdditions = 3;

    private readonly List<(long At, NodeId Leader, bool Crash)> _scheduledFaults = [];

    /// <summary>The leader-churn nemesis: maybe schedule a crash or isolation of a leader that just won.</summary>
    public void OnNewLeader(SimNode node)
    {
        Trace($"{node.Id} became leader in term {node.Raft!.Term} (last {node.Raft.LastIndex}, commit {node.Raft.CommitIndex})");
        if (FaultsOn && _random.Chance(_scenario.NewLeaderFaultRate))
        {
            // Strike within about one message delay, before the no-op of the new term can reach a majority.
            _scheduledFaults.Add((_now + _random.Next(0, _scenario.MaxDelaySteps + 1), node.Id, _random.Chance(0.5)));
        }
    }

    private void RunScheduledFaults()
    {
        for (var i = _scheduledFaults.Count - 1; i >= 0; i--)
        {
            var (at, leader, crash) = _scheduledFaults[i];
            if (at > _now)
            {
                continue;
            }

            _scheduledFaults.RemoveAt(i);
            var node = FindNode(leader);
            if (!FaultsOn || node is not { Up: true })
            {
                continue;
            }

            if (crash)
            {
                node.Crash();
                Checker.OnRestart(node.Id);
                Statistics.Crashes++;
                Trace($"nemesis crashed new leader {leader}");
            }
            else
            {
                Network.Heal();
                Network.Split([leader], _nodes.Select(n => n.Id).Where(id => id != leader).ToList());
                Statistics.Partitions++;
                Trace($"nemesis isolated new leader {leader}");
            }
        }
    }

    private void InjectFaults()
    {
        if (_random.Chance(_scenario.PartitionRate))
        {
            Partition();
        }
        else if (_random.Chance(_scenario.HealRate) && Network.Describe() != "healed")
        {
            Network.Heal();
            Trace("network healed");
        }

        if (_random.Chance(_scenario.CrashRate))
        {
            CrashSomeNode();
        }

        if (_random.Chance(_scenario.RestartRate))
        {
            RestartSomeNode();
        }

        if (_random.Chance(_scenario.MembershipRate))
        {
            ChangeMembership();
        }

        if (_random.Chance(_scenario.TransferRate))
        {
            TransferLeadership();
        }
    }

    private void Partition()
    {
        Network.Heal();
        var ids = _nodes.Select(node => node.Id).ToList();
        Shuffle(ids);
        switch (_random.Next(4))
        {
            case 0:
                // A majority/minority split: 3/2 of five, 2/1 of three.
                var majority = (ids.Count / 2) + 1;
                Network.Split(ids.Take(majority).ToList(), ids.Skip(majority).ToList());
                break;
            case 1:
                var leader = CurrentLeader()?.Id ?? ids[0];
                Network.Split([leader], ids.Where(id => id != leader).ToList());
                break;
            case 2:
                // One-way: the victim can send but hears nothing.
                foreach (var other in ids.Skip(1))
                {
                    Network.CutOneWay(other, ids[0]);
                }

                break;
            default:
                for (var i = 0; i < 1 + _random.Next(3); i++)
                {
                    Network.CutOneWay(_random.Pick(ids), _random.Pick(ids));
                }

                break;
        }

        Trace($"partition: {Network.Describe()}");
        Statistics.Partitions++;
    }

    private void CrashSomeNode()
    {
        var up = UpNodes();
        if (up.Count == 0)
        {
            return;
        }

        var victim = _random.Pick(up);
        victim.Crash();
        Checker.OnRestart(victim.Id);
        Statistics.Crashes++;
        Trace($"{victim.Id} crashed");
    }

    private void RestartSomeNode()
    {
        var down = _nodes.Where(node => !node.Up).ToList();
        if (down.Count == 0)
        {
            return;
        }

        var node = _random.Pick(down);
        node.Start();
        Trace($"{node.Id} restarted (term {node.Raft!.Term}, commit {node.Raft.CommitIndex}, last {node.Raft.LastIndex})");
    }

    private void ChangeMembership()
    {
        var leader = CurrentLeader();
        if (leader is null)
        {
            return;
        }

        var config = leader.Raft!.Config;
        var options = new List<ConfChange>();
        if (config.Learners.Length > 0)
        {
            options.Add(new ConfChange(ConfChangeType.AddVoter, _random.Pick(config.Learners)));
        }
        else if (_additions < MaxAdditions && _random.Chance(0.5))
        {
            options.Add(new ConfChange(ConfChangeType.AddLearner, new NodeId(_nextNodeId)));
        }

        if (config.Voters.Length > 3)
        {
            options.Add(new ConfChange(ConfChangeType.RemoveNode, _random.Pick(config.Voters)));
        }

        if (options.Count == 0)
        {
            return;
        }

        ProposeChange(leader, _random.Pick(options));
    }

    private void ProposeChange(SimNode leader, ConfChange change)
    {
        var outcome = leader.ProposeConfChange(change, out var accepted);
        Trace($"{leader.Id} propose {change}: {outcome}");
        if (!accepted)
        {
            return;
        }

        Statistics.ConfChanges++;
        if (change.Type == ConfChangeType.AddLearner && FindNode(change.NodeId) is null)
        {
            // A new member starts empty and learns everything (snapshot or log) from the leader.
            AddNode(change.NodeId, bootstrap: null);
            _additions++;
            _nextNodeId++;
        }
    }

    private void TransferLeadership()
    {
        var leader = CurrentLeader();
        if (leader is null)
        {
            return;
        }

        var others = leader.Raft!.Config.Voters.Where(id => id != leader.Id).ToList();
        if (others.Count == 0)
        {
            return;
        }

        var target = _random.Pick(others);
        leader.Driver!.TransferLeadership(target);
        Statistics.Transfers++;
        Trace($"{leader.Id} transfer leadership to {target}");
    }

    private void HealEverything()
    {
        FaultsOn = false;
        Network.Heal();
        foreach (var node in _nodes.Where(node => !node.Up))
        {
            node.Start();
        }

        Trace("--- healed: all links restored, all nodes up, no loss ---");
    }

    private void Shuffle<T>(List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
