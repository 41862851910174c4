using System.Text;

namespace Distate.Raft.Tests.Harness;

/// <summary>
/// A deterministic in-memory cluster for tests: each node has its own <see cref="MemoryRaftStorage"/>; the cluster
/// plays host (persist, then send, then apply, then advance — the contract on <see cref="Ready"/>) and network
/// (a FIFO queue with partitions, one-way cuts and drop filters). Nothing here reads a clock or a random source.
/// </summary>
internal sealed class TestCluster
{
    private readonly List<Message> _queue = [];
    private readonly List<Func<Message, bool>> _dropFilters = [];
    private readonly HashSet<(ulong From, ulong To)> _cuts = [];
    private readonly Dictionary<ulong, int> _partition = [];
    private readonly Dictionary<ulong, (StateRole Role, Term Term, NodeId Leader)> _lastSeen = [];
    private readonly Func<RaftOptions, RaftOptions> _configure;

    /// <summary>Creates a cluster of voters <paramref name="ids"/>, all bootstrapped with the same membership.</summary>
    public TestCluster(IReadOnlyList<ulong> ids, Func<RaftOptions, RaftOptions>? configure = null, bool membershipInLog = false)
    {
        _configure = configure ?? (o => o);
        var bootstrap = ConfState.OfVoters([.. ids]);
        foreach (var id in ids)
        {
            // membershipInLog founds the cluster with AddVoter entries (ForNewCluster), the way a cluster that will
            // grow must start; otherwise the membership sits in an index-0 snapshot (fixed-membership tests).
            Add(id, membershipInLog ? MemoryRaftStorage.ForNewCluster(bootstrap) : new MemoryRaftStorage(bootstrap));
        }
    }

    /// <summary>Creates a cluster of voters 1..count.</summary>
    public static TestCluster OfSize(int count, Func<RaftOptions, RaftOptions>? configure = null)
    {
        var ids = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (ulong)(i + 1);
        }

        return new TestCluster(ids, configure);
    }

    /// <summary>The settings every test node starts from: small timeouts, fixed seed.</summary>
    public static RaftOptions DefaultOptions(ulong id) => new()
    {
        Id = new NodeId(id),
        ElectionTimeoutTicks = 10,
        HeartbeatIntervalTicks = 1,
        RandomSeed = 42,
    };

    /// <summary>The nodes by id.</summary>
    public SortedDictionary<ulong, TestNode> Nodes { get; } = [];

    /// <summary>Every message delivered (not dropped), in delivery order.</summary>
    public List<Message> Delivered { get; } = [];

    /// <summary>Every message dropped by the network, in order.</summary>
    public List<Message> Dropped { get; } = [];

    /// <summary>Receives one line per observable event (message, role change, apply, read), when set.</summary>
    public Action<string>? Trace { get; set; }

    /// <summary>Message types not written to <see cref="Trace"/> (they are still delivered).</summary>
    public HashSet<MessageType> HiddenTypes { get; } = [];

    /// <summary>Messages sent but not yet delivered.</summary>
    public IReadOnlyList<Message> InFlight => _queue;

    /// <summary>The node with the given id.</summary>
    public TestNode this[ulong id] => Nodes[id];

    /// <summary>The core of the node with the given id.</summary>
    public RaftNode Raft(ulong id) => Nodes[id].Raft;

    /// <summary>Adds a node over the given storage (an empty one for a node that will join by membership change).</summary>
    public TestNode Add(ulong id, MemoryRaftStorage storage)
    {
        var node = new TestNode(_configure(DefaultOptions(id)), storage);
        Nodes[id] = node;
        _lastSeen[id] = (node.Raft.Role, node.Raft.Term, node.Raft.Leader);
        return node;
    }

    /// <summary>The single live leader with the highest term, or null.</summary>
    public TestNode? Leader()
    {
        TestNode? best = null;
        foreach (var node in Nodes.Values)
        {
            if (!node.Crashed && node.Raft.Role == StateRole.Leader && (best is null || node.Raft.Term > best.Raft.Term))
            {
                best = node;
            }
        }

        return best;
    }

    /// <summary>Makes <paramref name="id"/> campaign and delivers until quiet; asserts it won.</summary>
    public TestNode Elect(ulong id)
    {
        Campaign(id);
        Deliver();
        var node = Nodes[id];
        Assert.Equal(StateRole.Leader, node.Raft.Role);
        return node;
    }

    /// <summary>Starts an election on a node and processes its Ready (messages are queued, not delivered).</summary>
    public void Campaign(ulong id)
    {
        // Apply anything committed first (e.g. founding membership entries): a node with unapplied
        // membership changes refuses to campaign.
        ProcessAll();
        Nodes[id].Raft.Campaign();
        ProcessAll();
    }

    /// <summary>Proposes a UTF-8 payload on a node and processes the Ready.</summary>
    public ProposeResult Propose(ulong id, string data)
    {
        var result = Nodes[id].Raft.Propose(Encoding.UTF8.GetBytes(data));
        Track(id, result);
        Emit(result.Accepted
            ? $"{id} proposed {result.Term}/{result.Index} \"{data}\""
            : $"{id} proposal dropped {result.Reason} hint={Name(result.LeaderHint)}");
        ProcessAll();
        return result;
    }

    /// <summary>Proposes a membership change on a node and processes the Ready.</summary>
    public ProposeResult ProposeConfChange(ulong id, ConfChangeType type, ulong target)
    {
        var result = Nodes[id].Raft.ProposeConfChange(new ConfChange(type, new NodeId(target)));
        Track(id, result);
        Emit(result.Accepted
            ? $"{id} proposed {result.Term}/{result.Index} conf {type} {target}"
            : $"{id} conf change dropped {result.Reason} hint={Name(result.LeaderHint)}");
        ProcessAll();
        return result;
    }

    /// <summary>Asks a node for a linearizable read and processes the Ready.</summary>
    public void Read(ulong id, ulong requestId)
    {
        Nodes[id].Raft.ReadIndex(requestId);
        ProcessAll();
    }

    /// <summary>Asks a node to transfer leadership and processes the Ready.</summary>
    public void Transfer(ulong id, ulong target)
    {
        Nodes[id].Raft.TransferLeadership(new NodeId(target));
        ProcessAll();
    }

    /// <summary>Ticks the given nodes (all live ones when none given) <paramref name="count"/> times, delivering after each.</summary>
    public void Tick(int count, params ulong[] ids)
    {
        for (var i = 0; i < count; i++)
        {
            foreach (var node in Nodes.Values)
            {
                if (!node.Crashed && (ids.Length == 0 || Array.IndexOf(ids, node.Id) >= 0))
                {
                    node.Raft.Tick();
                }
            }

            Deliver();
        }
    }

    /// <summary>Ticks (as <see cref="Tick"/>) until the condition holds; fails after <paramref name="maxTicks"/>. Returns the ticks taken.</summary>
    public int TickUntil(Func<bool> condition, int maxTicks, params ulong[] ids)
    {
        for (var ticks = 0; ticks <= maxTicks; ticks++)
        {
            if (condition())
            {
                return ticks;
            }

            Tick(1, ids);
        }

        Assert.Fail($"condition not reached within {maxTicks} ticks");
        return -1;
    }

    /// <summary>Ticks one node without delivering anything.</summary>
    public void TickOnly(ulong id, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Nodes[id].Raft.Tick();
        }

        ProcessAll();
    }

    /// <summary>Processes Readies and delivers messages until no node has work and no message is in flight.</summary>
    public int Deliver(int maxRounds = 10_000)
    {
        ProcessAll();
        var rounds = 0;
        while (_queue.Count > 0)
        {
            Invariant.Check(rounds++ < maxRounds, "the cluster did not go quiet");
            DeliverRound();
        }

        return rounds;
    }

    /// <summary>Delivers exactly the messages now in flight (responses are queued, not delivered), then processes Readies.</summary>
    public void DeliverRound()
    {
        var batch = _queue.ToArray();
        _queue.Clear();
        foreach (var message in batch)
        {
            DeliverOne(message);
        }

        ProcessAll();
    }

    /// <summary>Processes every live node's pending Readies, in id order.</summary>
    public void ProcessAll()
    {
        foreach (var node in Nodes.Values)
        {
            if (node.Crashed)
            {
                continue;
            }

            while (node.Raft.HasReady())
            {
                ProcessReady(node);
            }
        }
    }

    /// <summary>Splits the network into groups; nodes in no group are isolated.</summary>
    public void Partition(params ulong[][] groups)
    {
        _partition.Clear();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var id in groups[g])
            {
                _partition[id] = g;
            }
        }

        foreach (var id in Nodes.Keys)
        {
            _partition.TryAdd(id, -(int)id);
        }
    }

    /// <summary>Cuts one node off from every other.</summary>
    public void Isolate(ulong id)
    {
        var others = Nodes.Keys.Where(n => n != id).ToArray();
        Partition([id], others);
    }

    /// <summary>Drops every message from one node to another (one direction only).</summary>
    public void Cut(ulong from, ulong to) => _cuts.Add((from, to));

    /// <summary>Drops every message the predicate matches, until <see cref="Heal"/>.</summary>
    public void DropWhere(Func<Message, bool> predicate) => _dropFilters.Add(predicate);

    /// <summary>Removes every partition, cut and drop filter.</summary>
    public void Heal()
    {
        _partition.Clear();
        _cuts.Clear();
        _dropFilters.Clear();
    }

    /// <summary>Crashes a node: it stops; its storage keeps exactly what it persisted.</summary>
    public void Crash(ulong id)
    {
        Nodes[id].Crashed = true;
        Emit($"{id} crashed");
    }

    /// <summary>Restarts a crashed node from its storage and processes its first Ready.</summary>
    public void Restart(ulong id)
    {
        var node = Nodes[id];
        node.Restart();
        Emit($"{id} restarted term={node.Raft.Term} vote={Name(node.Raft.Vote)} commit={node.Raft.CommitIndex} last={node.Raft.LastIndex}");
        _lastSeen[id] = (node.Raft.Role, node.Raft.Term, node.Raft.Leader);
        ProcessAll();
    }

    /// <summary>Snapshots a node's state machine at <paramref name="index"/> (≤ applied) and compacts its log there.</summary>
    public void Compact(ulong id, ulong index)
    {
        var node = Nodes[id];
        var at = new LogIndex(index);
        Invariant.Check(at <= node.Raft.AppliedIndex, "compact only what was applied");
        node.Storage.CreateSnapshot(at, node.Raft.Config, node.EncodeState(at));
        node.Storage.Compact(at);
        Emit($"{id} compacted to {index}, first index now {node.Storage.FirstIndex()}");
    }

    /// <summary>The (term/index) of each entry a node's storage and unstable log hold, for log comparisons.</summary>
    public static string LogOf(RaftNode node)
    {
        var log = node.Log;
        var parts = new List<string>();
        for (var i = log.FirstIndex; i <= log.LastIndex; i = i.Next)
        {
            parts.Add($"{log.TermOrZero(i)}/{i}");
        }

        return string.Join(" ", parts);
    }

    private void DeliverOne(Message message)
    {
        var to = message.To.Value;
        var traced = !HiddenTypes.Contains(message.Type);
        if (IsDropped(message) || !Nodes.TryGetValue(to, out var target) || target.Crashed)
        {
            Dropped.Add(message);
            if (traced)
            {
                Emit($"{message} (dropped)");
            }

            if (message.Type == MessageType.Snapshot && !Nodes[message.From.Value].Crashed)
            {
                Nodes[message.From.Value].Raft.ReportSnapshot(message.To, succeeded: false);
            }

            return;
        }

        if (traced)
        {
            Emit(message.ToString());
        }

        Delivered.Add(message);
        target.Raft.Step(message);
        if (message.Type == MessageType.Snapshot && !Nodes[message.From.Value].Crashed)
        {
            Nodes[message.From.Value].Raft.ReportSnapshot(message.To, succeeded: true);
        }
    }

    private bool IsDropped(Message message)
    {
        var from = message.From.Value;
        var to = message.To.Value;
        if (_cuts.Contains((from, to)))
        {
            return true;
        }

        if (_partition.Count > 0 && _partition.GetValueOrDefault(from, -(int)from) != _partition.GetValueOrDefault(to, -(int)to))
        {
            return true;
        }

        foreach (var filter in _dropFilters)
        {
            if (filter(message))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The host side of the contract, in its order: persist, send, apply, advance.</summary>
    private void ProcessReady(TestNode node)
    {
        var ready = node.Raft.GetReady();
        node.Readies.Add(ready);
        if (ready.Snapshot is { } snapshot)
        {
            node.Storage.ApplySnapshot(snapshot);
            node.RestoreState(snapshot);
            Emit($"{node.Id} installed snapshot {snapshot.Metadata.Term}/{snapshot.Metadata.Index} {snapshot.Metadata.ConfState}");
            ResolveProposals(node, p => p.Index <= snapshot.Metadata.Index, "outcome unknown: replaced by a snapshot", failed: false);
        }

        node.Storage.Append(ready.Entries);
        if (ready.HardState is { } hardState)
        {
            node.Storage.SetHardState(hardState);
        }

        // Persisted above; only now may the messages leave.
        _queue.AddRange(ready.Messages);
        foreach (var entry in ready.CommittedEntries)
        {
            Apply(node, entry);
        }

        if (ready.ProposalCutoff is { } cutoff)
        {
            ResolveProposals(node, p => cutoff.RulesOut(p.Index, p.Term), $"failed: the committed log reached {cutoff}");
        }

        foreach (var read in ready.ReadStates)
        {
            Invariant.Check(read.Index <= node.Raft.AppliedIndex || read.Index <= LastApplied(node, ready), "read released before applied");
            node.Reads.Add(read);
            Emit($"{node.Id} read {read.RequestId} at {read.Index}");
        }

        foreach (var dropped in ready.DroppedReads)
        {
            node.DroppedReads.Add(dropped);
            Emit($"{node.Id} read {dropped.RequestId} dropped {dropped.Reason} hint={Name(dropped.LeaderHint)}");
        }

        node.Raft.Advance(ready);
        EmitRoleChange(node);
    }

    private static LogIndex LastApplied(TestNode node, Ready ready) =>
        ready.CommittedEntries.Count > 0 ? ready.CommittedEntries[^1].Index : node.Raft.AppliedIndex;

    private void Apply(TestNode node, Entry entry)
    {
        node.AppliedEntries.Add(entry);
        Invariant.Check(!node.FailedProposals.Contains((entry.Index, entry.Term)), "a proposal reported failed was applied");
        // Success shows as the apply itself; only a proposal whose index another term's entry took is written out.
        node.PendingProposals.RemoveAll(p => p.Index == entry.Index && p.Term == entry.Term);
        ResolveProposals(node, p => p.Index == entry.Index, $"failed: {entry.Term}/{entry.Index} took its index");
        if (entry.Type == EntryType.ConfChange)
        {
            var change = ConfChange.Decode(entry.Data);
            var config = node.Raft.ApplyConfChange(change);
            Emit($"{node.Id} applied {entry.Term}/{entry.Index} conf {change} -> {config}");
            return;
        }

        node.ApplyNormal(entry);
        Emit($"{node.Id} applied {entry.Term}/{entry.Index} " + (entry.Data.IsEmpty ? "noop" : $"\"{Encoding.UTF8.GetString(entry.Data.Span)}\""));
    }

    /// <summary>Remembers an accepted proposal, as a host does, until something resolves it.</summary>
    private void Track(ulong id, ProposeResult result)
    {
        if (result.Accepted)
        {
            Nodes[id].PendingProposals.Add((result.Index, result.Term));
        }
    }

    /// <summary>Removes and writes out the pending proposals that <paramref name="resolved"/> selects.</summary>
    private void ResolveProposals(TestNode node, Predicate<(LogIndex Index, Term Term)> resolved, string outcome, bool failed = true)
    {
        foreach (var (index, term) in node.PendingProposals.FindAll(resolved))
        {
            Emit($"{node.Id} proposal {term}/{index} {outcome}");
            if (failed)
            {
                node.FailedProposals.Add((index, term));
            }
        }

        node.PendingProposals.RemoveAll(resolved);
    }

    private void EmitRoleChange(TestNode node)
    {
        var now = (node.Raft.Role, node.Raft.Term, node.Raft.Leader);
        if (_lastSeen.TryGetValue(node.Id, out var before) && before == now)
        {
            return;
        }

        _lastSeen[node.Id] = now;
        Emit($"{node.Id} is {now.Role} term={now.Term} leader={Name(now.Leader)}");
    }

    private void Emit(string line) => Trace?.Invoke(line);

    private static string Name(NodeId id) => id.IsSome ? id.ToString() : "none";
}
