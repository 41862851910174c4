using Distate.Node;
using Distate.Node.Apply;
using Distate.Node.Driver;
using Distate.Node.Envelope;
using Distate.Node.Requests;
using Distate.Node.Seams;
using Distate.Raft;
using Distate.Simulation.Host;

namespace Distate.Simulation;

/// <summary>
/// A simulated member running the production <see cref="NodeDriver"/> and <see cref="Applier"/>: its durable log
/// (survives crashes), its outbox (the simulated network) and its registers (rebuilt from the snapshot and log on
/// restart). As in the server, committed entries go to an apply queue that lags behind the Ready loop by a seeded
/// number of steps, snapshots are captured by the applier and recorded between Readies, and a leader may send its
/// appends before persisting them.
/// </summary>
public sealed class SimNode
{
    private readonly SimScenario _scenario;
    private readonly ulong _seed;
    private readonly SimCluster _cluster;
    private readonly Queue<ApplyBatch> _applyQueue = [];
    private readonly List<ClientOperation> _pending = [];
    private int _restarts;
    private SimStateMachine? _machine;

    /// <summary>Creates a node; a founding member bootstraps with the initial membership.</summary>
    public SimNode(NodeId id, ConfState? bootstrap, SimScenario scenario, ulong seed, SimCluster cluster)
    {
        Id = id;
        _scenario = scenario;
        _seed = seed;
        _cluster = cluster;
        Log = new SimDurableLog(bootstrap is null ? new MemoryRaftStorage() : MemoryRaftStorage.ForNewCluster(bootstrap));
        Start();
    }

    /// <summary>The node id.</summary>
    public NodeId Id { get; }

    /// <summary>What survives a crash.</summary>
    public SimDurableLog Log { get; private set; }

    /// <summary>The running driver (null while crashed).</summary>
    public NodeDriver? Driver { get; private set; }

    /// <summary>The driver's Raft node, for checks and status only (null while crashed).</summary>
    public RaftNode? Raft => Driver?.Raft;

    /// <summary>The application state (volatile).</summary>
    public KvStateMachine Registers { get; private set; } = new();

    /// <summary>The applier (volatile).</summary>
    public Applier? Applier { get; private set; }

    /// <summary>True while running.</summary>
    public bool Up => Driver is not null;

    /// <summary>Ticks every this many steps (clock drift makes nodes differ).</summary>
    public int TickPeriodSteps { get; set; } = 10;

    /// <summary>True once this node applied its own removal: it is idle until re-added with fresh storage.</summary>
    public bool Removed { get; private set; }

    /// <summary>Number of client operations waiting on this node.</summary>
    public int PendingCount => _pending.Count(operation => operation.Outcome == OperationOutcome.Pending);

    /// <summary>Starts (or restarts) the node from its storage.</summary>
    public void Start()
    {
        Invariant.Check(Driver is null, "start a stopped node only");
        var raftOptions = new RaftOptions
        {
            Id = Id, ElectionTimeoutTicks = 10, HeartbeatIntervalTicks = 1, RandomSeed = _seed ^ (ulong)(_restarts * 7919),
            MaxAppendBytes = _scenario.MaxAppendBytes, CheckQuorum = _scenario.CheckQuorum, MaxInflightMessages = 8, MaxUncommittedBytes = 64 * 1024,
        };
        var driverOptions = new NodeDriverOptions
        {
            SnapshotEveryEntries = _scenario.SnapshotEveryEntries,
            // Keep a few entries behind the snapshot so slightly lagging followers still get plain appends.
            EntriesKeptBehindSnapshot = _scenario.SnapshotEveryEntries / 3,
            // A few message delays: a forward or its answer lost to the network fails within the liveness bound.
            ForwardTimeoutTicks = 8,
        };
        _restarts++;
        var clock = new SimClock(() => _cluster.Now);
        var observer = new Observer(this);
        Registers = new KvStateMachine();
        var snapshot = Log.LatestSnapshot();
        Registers.Restore(snapshot);
        _machine = new SimStateMachine(Registers, Id);
        Driver = new NodeDriver(raftOptions, Log, new Outbox(_cluster), driverOptions, clock, observer);
        Applier = new Applier(_machine, snapshot.Metadata.Index, Driver.Config, driverOptions, clock, observer, Driver.Forwarded);
    }

    /// <summary>Crashes: the driver, the apply queue and everything not persisted are gone; pending client operations
    /// become unknown (writes) or failed (reads).</summary>
    public void Crash()
    {
        var failure = new RequestFailure(DroppedReason.NoLeader, NodeId.None, "the member crashed", Indeterminate: true);
        Driver?.FailAll(failure);
        while (_applyQueue.TryDequeue(out var batch))
        {
            batch.Fail(failure);
        }

        Driver = null;
        Applier = null;
        _machine = null;
        _pending.Clear();
    }

    /// <summary>Wipes the node for re-adding after removal: a fresh, empty member.</summary>
    public void Wipe()
    {
        Crash();
        Log = new SimDurableLog(new MemoryRaftStorage());
        Removed = false;
        Start();
    }

    /// <summary>Starts a write; its waiter completes the operation (a refusal fails it and points the client at the leader).</summary>
    public void Write(ClientOperation operation)
    {
        _pending.Add(operation);
        var envelope = new EntryEnvelope(EntryKind.Test, Id, operation.Id, KvStateMachine.EncodeWrite(operation.Key, operation.Id));
        Driver!.Propose(envelope.Encode(), new WriteWaiter(this, operation));
    }

    /// <summary>Starts a linearizable read.</summary>
    public void Read(ClientOperation operation)
    {
        _pending.Add(operation);
        Driver!.ReadIndex(new ReadWaiter(this, operation));
    }

    /// <summary>Proposes a membership change; returns where it was appended, or why it was refused.</summary>
    public string ProposeConfChange(ConfChange change, out bool accepted)
    {
        var waiter = new ConfChangeWaiter();
        Driver!.ProposeConfChange(change, waiter);
        accepted = waiter.AcceptedAt is not null;
        return waiter.AcceptedAt ?? waiter.Refusal ?? "pending";
    }

    /// <summary>Abandons reads past their deadline (the client gives up; a read has no effect).</summary>
    public void ExpireReads(long now)
    {
        foreach (var read in _pending.Where(op => !op.IsWrite && op.Outcome == OperationOutcome.Pending && op.DeadlineAt <= now).ToList())
        {
            Complete(read, OperationOutcome.Failed);
        }

        _pending.RemoveAll(op => op.Outcome != OperationOutcome.Pending);
    }

    /// <summary>
    /// Takes one Ready through the driver: persist (or crash first, losing it), hand off, advance. Returns null when the
    /// driver had nothing to do, false when the node crashed.
    /// </summary>
    public bool? ProcessReady(bool crashBeforePersist)
    {
        var driver = Driver!;
        driver.SaveStagedSnapshotAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var work = driver.TakeReady();
        if (work is null)
        {
            return null;
        }

        if (crashBeforePersist)
        {
            // A leader's appends may already be out (sent before persisting): the crash loses only its own copy.
            _cluster.Trace($"{Id} crashed before persisting a ready ({work.Ready.Entries.Count} entries{(work.SentFirst ? ", sent first" : "")})");
            driver.Abandon();
            Crash();
            return false;
        }

        Completed(driver.PersistAsync(work, CancellationToken.None));
        if (driver.HandOff(work) is { } batch)
        {
            _applyQueue.Enqueue(batch);
        }

        driver.Advance(work);
        return true;
    }

    /// <summary>The apply task's turn: applies every queued batch, in order (the cluster decides when it runs, so apply
    /// lags the Ready loop as it does in the server). A capture is written and staged at once.</summary>
    public void ApplyQueued()
    {
        while (Up && _applyQueue.TryDequeue(out var batch))
        {
            if (Applier!.Apply(batch) is { } capture)
            {
                using var stream = new MemoryStream();
                capture.Source.WriteTo(stream);
                if (Log.StageSnapshot(capture.Index, capture.ConfState, stream.ToArray()) is { } staged)
                {
                    Driver!.SnapshotStaged(staged);
                }

                Applier.SnapshotFinished();
            }

            if (_machine!.RemovedSelf && !Removed)
            {
                Removed = true;
                Driver!.FailAll(new RequestFailure(DroppedReason.Removed, NodeId.None, "this member was removed", Indeterminate: true));
            }
        }
    }

    private static void Completed(ValueTask task)
    {
        Invariant.Check(task.IsCompletedSuccessfully, "the simulator's log completes every write synchronously");
        task.GetAwaiter().GetResult();
    }

    private void Complete(ClientOperation operation, OperationOutcome outcome)
    {
        if (operation.Outcome != OperationOutcome.Pending)
        {
            return;
        }

        operation.Outcome = outcome;
        operation.CompletedAt = outcome == OperationOutcome.Unknown ? long.MaxValue : _cluster.Now;
    }

    private sealed class WriteWaiter(SimNode node, ClientOperation operation) : IRequestWaiter
    {
        public void Accepted(LogIndex index, Term term)
        {
            Invariant.Check(operation.ProposedIndex == LogIndex.Zero || operation.ProposedIndex == index, $"one index per write ({operation})");
            operation.ProposedIndex = index;
            operation.ProposedTerm = term;
        }

        public void Succeed(LogIndex index, object? result)
        {
            // A forwarded write may be applied here before the leader's answer (where it appended it) arrives.
            Invariant.Check(operation.ProposedIndex == LogIndex.Zero || index == operation.ProposedIndex,
                $"a write succeeds at the index it was appended at ({operation})");
            operation.ProposedIndex = index;
            node.Complete(operation, OperationOutcome.Ok);
        }

        public void Fail(RequestFailure failure)
        {
            if (!failure.Indeterminate && operation.ProposedIndex == LogIndex.Zero)
            {
                // Refused before it was appended: the client retries elsewhere.
                node._cluster.OnRefused(operation, failure);
            }
            else if (!failure.Indeterminate)
            {
                node._cluster.Trace($"{node.Id} failed {operation}: {failure.Message}");
            }

            node.Complete(operation, failure.Indeterminate ? OperationOutcome.Unknown : OperationOutcome.Failed);
        }
    }

    private sealed class ReadWaiter(SimNode node, ClientOperation operation) : IRequestWaiter
    {
        public void Succeed(LogIndex index, object? result)
        {
            if (operation.Outcome != OperationOutcome.Pending)
            {
                return;
            }

            var (opId, observedIndex) = node.Registers.Read(operation.Key);
            operation.ObservedWrite = opId;
            operation.ObservedIndex = observedIndex;
            node.Complete(operation, OperationOutcome.Ok);
            node._cluster.Trace($"{node.Id} served {operation}");
        }

        public void Fail(RequestFailure failure) => node.Complete(operation, OperationOutcome.Failed);
    }

    private sealed class ConfChangeWaiter : IRequestWaiter
    {
        public string? AcceptedAt { get; private set; }

        public string? Refusal { get; private set; }

        public void Accepted(LogIndex index, Term term) => AcceptedAt = $"at {index}";

        public void Succeed(LogIndex index, object? result)
        {
        }

        public void Fail(RequestFailure failure) => Refusal ??= failure.Reason.ToString();
    }

    private sealed class Outbox(SimCluster cluster) : IPeerOutbox
    {
        public bool TrySend(Message message)
        {
            cluster.Network.Send(message, cluster.Now, cluster.FaultsOn);
            return true;
        }
    }

    /// <summary>Feeds the safety checker from the driver's and applier's reports.</summary>
    private sealed class Observer(SimNode node) : INodeObserver
    {
        public void OnReady(Ready ready)
        {
            node._cluster.Checker.OnReady(node, ready);
            if (ready.SoftState is { Role: StateRole.Leader })
            {
                node._cluster.OnNewLeader(node);
            }
        }

        public void OnApplied(Entry entry) => node._cluster.Checker.OnApply(node, entry);

        public void OnConfChange(LogIndex index, ConfChange change, ConfState after) =>
            node._cluster.Trace($"{node.Id} took {change} at {index}: {after}");
    }
}
