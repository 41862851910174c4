using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// A simulated host: one Raft node, its durable storage (survives crashes) and its state machine (rebuilt from
/// the snapshot and log on restart). It follows the Ready contract exactly: persist, send, apply, serve reads, advance.
/// </summary>
public sealed class SimNode
{
    private readonly SimScenario _scenario;
    private readonly ulong _seed;
    private readonly Dictionary<LogIndex, List<ClientOperation>> _pendingWrites = [];
    private readonly Dictionary<ulong, ClientOperation> _pendingReads = [];
    private int _restarts;

    /// <summary>Creates a node; a founding member bootstraps with the initial membership.</summary>
    public SimNode(NodeId id, ConfState? bootstrap, SimScenario scenario, ulong seed)
    {
        Id = id;
        _scenario = scenario;
        _seed = seed;
        Storage = bootstrap is null ? new MemoryRaftStorage() : MemoryRaftStorage.ForNewCluster(bootstrap);
        Start();
    }

    /// <summary>The node id.</summary>
    public NodeId Id { get; }

    /// <summary>What survives a crash.</summary>
    public MemoryRaftStorage Storage { get; private set; }

    /// <summary>The running Raft node (null while crashed).</summary>
    public RaftNode? Raft { get; private set; }

    /// <summary>The application state (volatile).</summary>
    public KvStateMachine StateMachine { get; private set; } = new();

    /// <summary>True while running.</summary>
    public bool Up => Raft is not null;

    /// <summary>Ticks every this many steps (clock drift makes nodes differ).</summary>
    public int TickPeriodSteps { get; set; } = 10;

    /// <summary>True once this node applied its own removal: it is idle until re-added with fresh storage.</summary>
    public bool Removed { get; private set; }

    /// <summary>Starts (or restarts) the node from its storage.</summary>
    public void Start()
    {
        Invariant.Check(Raft is null, "start a stopped node only");
        var options = new RaftOptions
        {
            Id = Id, ElectionTimeoutTicks = 10, HeartbeatIntervalTicks = 1, RandomSeed = _seed ^ (ulong)(_restarts * 7919),
            MaxAppendBytes = _scenario.MaxAppendBytes, CheckQuorum = _scenario.CheckQuorum, MaxInflightMessages = 8, MaxUncommittedBytes = 64 * 1024,
        };
        _restarts++;
        StateMachine = new KvStateMachine();
        StateMachine.Restore(Storage.LatestSnapshot());
        Raft = new RaftNode(options, Storage);
        StateMachine.ConfState = Raft.Config;
    }

    /// <summary>Crashes: the Raft node and everything not persisted is gone; pending client operations become unknown.</summary>
    public void Crash(long now)
    {
        Raft = null;
        AbandonPending(now);
    }

    /// <summary>Wipes the node for re-adding after removal: a fresh, empty member.</summary>
    public void Wipe(long now)
    {
        Crash(now);
        Storage = new MemoryRaftStorage();
        Removed = false;
        Start();
    }

    /// <summary>Registers an accepted write waiting for its index to apply.</summary>
    public void TrackWrite(ClientOperation operation)
    {
        if (!_pendingWrites.TryGetValue(operation.ProposedIndex, out var list))
        {
            list = [];
            _pendingWrites[operation.ProposedIndex] = list;
        }

        list.Add(operation);
    }

    /// <summary>Registers a read waiting for its read state.</summary>
    public void TrackRead(ClientOperation operation) => _pendingReads[operation.Id] = operation;

    /// <summary>Number of client operations waiting on this node.</summary>
    public int PendingCount => _pendingReads.Count + _pendingWrites.Values.Sum(list => list.Count);

    /// <summary>Abandons reads past their deadline (the client gives up; a read has no effect).</summary>
    public void ExpireReads(long now)
    {
        foreach (var read in _pendingReads.Values.Where(read => read.DeadlineAt <= now).ToList())
        {
            Complete(read, OperationOutcome.Failed, now);
            _pendingReads.Remove(read.Id);
        }
    }

    /// <summary>
    /// Handles one Ready. Returns false if the node crashed before persisting it (crash-during-write).
    /// </summary>
    public bool ProcessReady(SimCluster cluster, long now, bool crashBeforePersist)
    {
        var raft = Raft!;
        var ready = raft.GetReady();
        cluster.Checker.OnReady(this, ready);
        if (ready.SoftState is { Role: StateRole.Leader })
        {
            cluster.OnNewLeader(this);
        }

        if (crashBeforePersist)
        {
            cluster.Trace($"{Id} crashed before persisting a ready ({ready.Entries.Count} entries)");
            Crash(now);
            return false;
        }

        // 1. Persist.
        if (ready.Snapshot is not null)
        {
            Storage.ApplySnapshot(ready.Snapshot);
        }

        Storage.Append(ready.Entries);
        if (ready.HardState is { } hardState)
        {
            Storage.SetHardState(hardState);
        }

        // 2. Send.
        foreach (var message in ready.Messages)
        {
            cluster.Network.Send(message, now, cluster.FaultsOn);
        }

        // 3. Apply.
        if (ready.Snapshot is not null)
        {
            StateMachine.Restore(ready.Snapshot);
            FailWritesAtOrBelow(ready.Snapshot.Metadata.Index, now);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            ApplyEntry(cluster, entry, now);
        }

        if (ready.ProposalCutoff is { } cutoff)
        {
            FailWritesRuledOut(cluster, cutoff, now);
        }

        // 4. Serve reads.
        ServeReads(cluster, ready, now);
        raft.Advance(ready);
        MaybeSnapshot();
        return true;
    }

    private void ApplyEntry(SimCluster cluster, Entry entry, long now)
    {
        cluster.Checker.OnApply(this, entry);
        if (entry.Type == EntryType.ConfChange)
        {
            var change = ConfChange.Decode(entry.Data);
            StateMachine.ConfState = Raft!.ApplyConfChange(change);
            cluster.Trace($"{Id} applied {change} at {entry.Index}: {StateMachine.ConfState}");
            if (change.Type == ConfChangeType.RemoveNode && change.NodeId == Id)
            {
                Removed = true;
            }
        }

        StateMachine.Apply(entry);
        if (_pendingWrites.Remove(entry.Index, out var writes))
        {
            foreach (var write in writes)
            {
                // Same index and term: it is our entry (Log Matching). Another term: ours was overwritten.
                Complete(write, write.ProposedTerm == entry.Term ? OperationOutcome.Ok : OperationOutcome.Failed, now);
            }
        }

        if (Removed)
        {
            AbandonPending(now);
        }
    }

    private void ServeReads(SimCluster cluster, Ready ready, long now)
    {
        foreach (var state in ready.ReadStates)
        {
            Invariant.Check(StateMachine.Applied >= state.Index, "reads are released only once applied ≥ read index");
            if (!_pendingReads.Remove(state.RequestId, out var read))
            {
                continue;
            }

            var (opId, index) = StateMachine.Read(read.Key);
            read.ObservedWrite = opId;
            read.ObservedIndex = index;
            Complete(read, OperationOutcome.Ok, now);
            cluster.Trace($"{Id} served {read}");
        }

        foreach (var dropped in ready.DroppedReads)
        {
            if (_pendingReads.Remove(dropped.RequestId, out var read))
            {
                Complete(read, OperationOutcome.Failed, now);
            }
        }
    }

    private void MaybeSnapshot()
    {
        if (_scenario.SnapshotEveryEntries <= 0)
        {
            return;
        }

        var applied = StateMachine.Applied;
        var snapshotIndex = Storage.LatestSnapshot().Metadata.Index;
        if (applied - snapshotIndex < (ulong)_scenario.SnapshotEveryEntries || applied > Storage.LastIndex())
        {
            return;
        }

        Storage.CreateSnapshot(applied, StateMachine.ConfState, StateMachine.Serialize());
        // Keep a few entries behind the snapshot so slightly lagging followers still get plain appends.
        var keep = (ulong)(_scenario.SnapshotEveryEntries / 3);
        if (applied.Value > keep)
        {
            Storage.Compact(applied - keep);
        }
    }

    /// <summary>Fails writes whose index can now only ever hold an entry of a later term (see ProposalCutoff).</summary>
    private void FailWritesRuledOut(SimCluster cluster, ProposalCutoff cutoff, long now)
    {
        List<LogIndex>? emptied = null;
        foreach (var (index, writes) in _pendingWrites)
        {
            // Several writes may wait on one index: each leader that reused it after a truncation added one.
            writes.RemoveAll(write =>
            {
                if (!cutoff.RulesOut(write.ProposedIndex, write.ProposedTerm))
                {
                    return false;
                }

                cluster.Trace($"{Id} failed {write}: the committed log reached {cutoff}");
                Complete(write, OperationOutcome.Failed, now);
                return true;
            });
            if (writes.Count == 0)
            {
                (emptied ??= []).Add(index);
            }
        }

        foreach (var index in emptied ?? [])
        {
            _pendingWrites.Remove(index);
        }
    }

    private void FailWritesAtOrBelow(LogIndex index, long now)
    {
        foreach (var key in _pendingWrites.Keys.Where(key => key <= index).ToList())
        {
            // The snapshot replaced those entries; whether ours was among them is unknown to this node.
            foreach (var write in _pendingWrites[key])
            {
                Complete(write, OperationOutcome.Unknown, now);
            }

            _pendingWrites.Remove(key);
        }
    }

    private void AbandonPending(long now)
    {
        foreach (var writes in _pendingWrites.Values)
        {
            foreach (var write in writes)
            {
                Complete(write, OperationOutcome.Unknown, now);
            }
        }

        foreach (var read in _pendingReads.Values)
        {
            Complete(read, OperationOutcome.Failed, now);
        }

        _pendingWrites.Clear();
        _pendingReads.Clear();
    }

    private static void Complete(ClientOperation operation, OperationOutcome outcome, long now)
    {
        if (operation.Outcome != OperationOutcome.Pending)
        {
            return;
        }

        operation.Outcome = outcome;
        operation.CompletedAt = outcome == OperationOutcome.Unknown ? long.MaxValue : now;
    }
}
