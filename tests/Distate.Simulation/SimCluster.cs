using System.Text;
using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// One simulated run: a cluster, its network, clients and faults, all driven by one seed. Time advances in
/// steps; a node ticks every ~10 steps; messages take 1..MaxDelaySteps. After the fault phase everything heals and
/// the liveness phase demands a leader and the resolution of every pending proposal within a bound.
/// </summary>
public sealed partial class SimCluster
{
    private const int StepsPerTick = 10;
    private const int TraceLines = 400;
    private readonly SimScenario _scenario;
    private readonly SimRandom _random;
    private readonly SimRandom _applyRandom;
    private readonly List<SimNode> _nodes = [];
    private readonly List<ClientOperation> _history = [];
    private readonly ClientOperation?[] _clientOperation;
    private readonly NodeId[] _clientTarget;
    private readonly Queue<string> _trace = new();
    private readonly StringBuilder? _fullTrace;
    private long _now;
    private ulong _nextOperationId = 1;
    private ulong _nextNodeId;
    private int _additions;

    /// <summary>Creates a run of a scenario for a seed.</summary>
    public SimCluster(SimScenario scenario, ulong seed, bool keepFullTrace = false)
    {
        _scenario = scenario;
        Seed = seed;
        _random = new SimRandom(seed);
        _applyRandom = new SimRandom(seed ^ 0x5EED0A11UL);
        Network = new SimNetwork(new SimRandom(seed ^ 0xA5A5A5A5UL), scenario);
        // One extra client slot is reserved for the liveness phase's own writes and reads.
        _clientOperation = new ClientOperation?[scenario.Clients + 1];
        _clientTarget = new NodeId[scenario.Clients + 1];
        _fullTrace = keepFullTrace ? new StringBuilder() : null;
        Network.OnDropped = ReportDrop;
        var voters = Enumerable.Range(1, scenario.Voters).Select(i => (ulong)i).ToArray();
        var bootstrap = ConfState.OfVoters(voters);
        foreach (var id in voters)
        {
            AddNode(new NodeId(id), bootstrap);
        }

        _nextNodeId = (ulong)scenario.Voters + 1;
    }

    /// <summary>The seed of this run.</summary>
    public ulong Seed { get; }

    /// <summary>The simulated network.</summary>
    public SimNetwork Network { get; }

    /// <summary>The safety checker fed by every node.</summary>
    public RaftSafetyChecker Checker { get; } = new();

    /// <summary>The current step (one timestamp unit of the nodes' clocks).</summary>
    public long Now => _now;

    /// <summary>True during the fault phase (loss and duplication apply).</summary>
    public bool FaultsOn { get; private set; } = true;

    /// <summary>Counts of what happened, for the test output.</summary>
    public SimStatistics Statistics { get; } = new();

    /// <summary>The full trace, when requested.</summary>
    public string FullTrace => _fullTrace?.ToString() ?? "";

    /// <summary>Runs the scenario to completion; throws <see cref="SafetyViolationException"/> on any violation.</summary>
    public void Run()
    {
        try
        {
            for (var tick = 0; tick < _scenario.FaultTicks; tick++)
            {
                RunTick(injectFaults: true);
            }

            HealEverything();
            RunLivenessPhase();
            LinearizabilityChecker.Check(_history, Checker.WriteIndex);
            Statistics.Record(_history);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Any failure (a violation, or a bug of the harness itself) names its seed and the last events.
            throw new SafetyViolationException($"{ex.Message}\n--- last events (seed {Seed}, {_scenario.Name}) ---\n{string.Join("\n", _trace)}", ex);
        }
    }

    /// <summary>Adds a line to the trace (a ring buffer, printed on failure).</summary>
    public void Trace(string line)
    {
        var stamped = $"[{_now / StepsPerTick}.{_now % StepsPerTick}] {line}";
        _trace.Enqueue(stamped);
        if (_trace.Count > TraceLines)
        {
            _trace.Dequeue();
        }

        _fullTrace?.AppendLine(stamped);
    }

    private void RunTick(bool injectFaults)
    {
        if (injectFaults)
        {
            InjectFaults();
            IssueClientOperations();
        }

        for (var step = 0; step < StepsPerTick; step++)
        {
            RunStep();
        }
    }

    private void RunStep()
    {
        _now++;
        RunScheduledFaults();
        foreach (var node in _nodes)
        {
            if (node.Up && _now % node.TickPeriodSteps == 0)
            {
                node.Driver!.Tick();
            }
        }

        foreach (var message in Network.Due(_now))
        {
            var target = FindNode(message.To);
            if (target is { Up: true })
            {
                target.Driver!.Deliver(message);
                if (message.Type == MessageType.Snapshot)
                {
                    FindNode(message.From)?.Driver?.ReportSnapshot(message.To, succeeded: true);
                }
            }
            else
            {
                ReportDrop(message, true);
            }
        }

        foreach (var node in _nodes)
        {
            ProcessReadies(node);
            if (node.Up && !_applyRandom.Chance(_scenario.ApplyDelayRate))
            {
                node.ApplyQueued();
            }

            if (node.Up)
            {
                node.ExpireReads(_now);
            }
        }
    }

    private void ProcessReadies(SimNode node)
    {
        // Bounded: a node produces finitely many readies per step; 16 is far above what one step needs.
        for (var round = 0; round < 16 && node.Up; round++)
        {
            var crash = FaultsOn && _random.Chance(_scenario.CrashDuringReadyRate);
            var processed = node.ProcessReady(crash);
            if (processed is null)
            {
                return;
            }

            if (processed == false)
            {
                Statistics.Crashes++;
                Checker.OnRestart(node.Id);
                return;
            }

            Checker.AfterReady(node);
        }
    }

    /// <summary>A write refused before it was appended: the client follows the leader hint.</summary>
    public void OnRefused(ClientOperation operation, Node.Requests.RequestFailure failure)
    {
        if (operation.Client == _scenario.Clients)
        {
            Trace($"liveness write on {operation.Node} refused: {failure.Reason}");
        }

        if (failure.LeaderHint.IsSome)
        {
            _clientTarget[operation.Client] = failure.LeaderHint;
        }
    }

    /// <summary>
    /// What a real transport tells its node: a snapshot that did not get through (so the leader retries instead of
    /// waiting forever), and a peer it could not reach (so the leader stops pipelining to it).
    /// </summary>
    private void ReportDrop(Message message, bool unreachable)
    {
        var sender = FindNode(message.From)?.Driver;
        if (sender is null)
        {
            return;
        }

        if (message.Type == MessageType.Snapshot)
        {
            sender.ReportSnapshot(message.To, succeeded: false);
        }
        else if (unreachable)
        {
            sender.ReportUnreachable(message.To);
        }
    }

    private SimNode? FindNode(NodeId id)
    {
        foreach (var node in _nodes)
        {
            if (node.Id == id)
            {
                return node;
            }
        }

        return null;
    }

    private SimNode AddNode(NodeId id, ConfState? bootstrap)
    {
        var node = new SimNode(id, bootstrap, _scenario, Seed ^ (id.Value << 32), this)
        {
            TickPeriodSteps = _scenario.ClockDrift ? _random.Next(8, 13) : StepsPerTick,
        };
        _nodes.Add(node);
        return node;
    }

    /// <summary>The node that leads the highest term right now, if any.</summary>
    private SimNode? CurrentLeader()
    {
        SimNode? best = null;
        foreach (var node in _nodes)
        {
            if (node.Up && node.Raft!.Role == StateRole.Leader && (best is null || node.Raft.Term > best.Raft!.Term))
            {
                best = node;
            }
        }

        return best;
    }

    private List<SimNode> UpNodes() => _nodes.Where(node => node.Up && !node.Removed).ToList();
}
