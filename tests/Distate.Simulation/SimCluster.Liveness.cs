using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// After healing: a leader must emerge; once one is stable, every pending write must resolve within a bound with no
/// help from new writes (a quiet cluster must not strand a proposal); then a fresh write and read must succeed.
/// </summary>
public sealed partial class SimCluster
{
    private const int ProgressTicks = 40;

    /// <summary>
    /// Ticks a stable leader gets to resolve every pending write: it commits its no-op (a few message delays, plus
    /// probing back over a deposed leader's suffix), and the commit reaches the proposer with the next heartbeat.
    /// </summary>
    private const int ResolveTicks = 20;

    private int LivenessClient => _scenario.Clients;

    private void RunLivenessPhase()
    {
        var healedAt = _now;
        var stableSince = _now;
        (NodeId Id, Term Term) stable = default;
        int? resolvedAt = null;
        for (var tick = 0; tick < _scenario.LivenessTicks; tick++)
        {
            RunTick(injectFaults: false);
            AbandonOperationsOnNonMembers();
            var leader = StableLeader();
            if (leader is null)
            {
                stable = default;
                continue;
            }

            if ((leader.Id, leader.Raft!.Term) != stable)
            {
                // The bound counts from the moment this leader, in this term, is followed by a majority.
                stable = (leader.Id, leader.Raft.Term);
                stableSince = _now;
                resolvedAt = null;
            }

            var waitedTicks = (int)((_now - stableSince) / StepsPerTick);
            var pendingWrite = _history.Find(op => op.IsWrite && op.Outcome == OperationOutcome.Pending);
            if (pendingWrite is not null && waitedTicks > ResolveTicks)
            {
                throw new SafetyViolationException(
                    $"liveness: leader {leader.Id} stable in term {leader.Raft.Term} for {waitedTicks} ticks, yet {pendingWrite} is unresolved " +
                    $"(a proposal must be committed or failed within {ResolveTicks} ticks of a stable leader); {DescribeNodes()}");
            }

            if (pendingWrite is null)
            {
                // Recorded once: reads may still be pending (they resolve by their own deadline).
                resolvedAt ??= waitedTicks;
                if (!_history.Exists(op => op.Outcome == OperationOutcome.Pending))
                {
                    Statistics.ResolveTicks = resolvedAt.Value;
                    ProveProgress(healedAt);
                    return;
                }
            }
        }

        var pending = _history.Where(op => op.Outcome == OperationOutcome.Pending).Take(5);
        throw new SafetyViolationException(
            $"liveness: {_scenario.LivenessTicks} ticks after healing, leader={StableLeader()?.Id.ToString() ?? "none"}; " +
            $"unresolved: {string.Join("; ", pending)}; {DescribeNodes()}");
    }

    /// <summary>With the cluster healed, a fresh write and then a fresh read through the leader must succeed.</summary>
    private void ProveProgress(long healedAt)
    {
        var deadline = _now + (ProgressTicks * StepsPerTick);
        ClientOperation? write = null;
        ClientOperation? read = null;
        while (_now < deadline)
        {
            var leader = StableLeader();
            var current = _clientOperation[LivenessClient];
            if (leader is not null && current is not { Outcome: OperationOutcome.Pending })
            {
                // Refusals (a transfer in progress, a leader change) are retried on the next tick.
                if (write is not { Outcome: OperationOutcome.Ok })
                {
                    write = _clientOperation[LivenessClient] = Write(LivenessClient, leader, 0);
                }
                else if (read is not { Outcome: OperationOutcome.Ok })
                {
                    read = _clientOperation[LivenessClient] = Read(LivenessClient, leader, 0);
                }
                else
                {
                    Statistics.LivenessTicks = (int)((_now - healedAt) / StepsPerTick);
                    return;
                }
            }

            RunTick(injectFaults: false);
        }

        throw new SafetyViolationException(
            $"liveness: {ProgressTicks} ticks after every proposal resolved, a write and a read through the leader did not both succeed " +
            $"(last write {write}, last read {read}); {DescribeNodes()}");
    }

    /// <summary>A leader recognised by a majority of the voters of its own configuration.</summary>
    private SimNode? StableLeader()
    {
        var leader = CurrentLeader();
        if (leader is null)
        {
            return null;
        }

        var voters = leader.Raft!.Config.Voters;
        var following = voters.Count(id => FindNode(id) is { Up: true } node && node.Raft!.Leader == leader.Id);
        return following > voters.Length / 2 ? leader : null;
    }

    private void AbandonOperationsOnNonMembers()
    {
        var leader = CurrentLeader();
        if (leader is null)
        {
            return;
        }

        // Read once: a leader handing over after its own removal is not in its config and may be crashed here.
        var config = leader.Raft!.Config;
        foreach (var node in _nodes)
        {
            if (!config.Contains(node.Id) && node.Up && node.PendingCount > 0)
            {
                // Removed while cut off: it will never hear of its removal; its clients give up.
                node.Crash();
                Checker.OnRestart(node.Id);
            }
        }
    }

    private string DescribeNodes() => string.Join(" | ", _nodes.Select(node => node.Up
        ? $"{node.Id}:{node.Raft!.Role} t{node.Raft.Term} lead={node.Raft.Leader} commit={node.Raft.CommitIndex} applied={node.Raft.AppliedIndex} last={node.Raft.LastIndex} {node.Raft.Config}"
        : $"{node.Id}:down")) + " progress: " + string.Join(", ", CurrentLeader()?.Raft!.Status().Progress.Select(p => $"{p.Key}:{p.Value}") ?? []);
}
