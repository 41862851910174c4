using Distate.Raft;

namespace Distate.Raft.Bench;

/// <summary>
/// Three Raft nodes wired together in memory, following the Ready contract (persist to MemoryRaftStorage, deliver,
/// apply, advance) with compaction so memory stays flat: what the benchmark drives.
/// </summary>
internal sealed class InMemoryCluster
{
    private readonly RaftNode[] _nodes;
    private readonly MemoryRaftStorage[] _storages;
    private readonly Queue<Message> _network = new();

    /// <summary>Creates the cluster and elects node 1.</summary>
    public InMemoryCluster(int nodes)
    {
        var founders = ConfState.OfVoters(Enumerable.Range(1, nodes).Select(i => (ulong)i).ToArray());
        _storages = new MemoryRaftStorage[nodes];
        _nodes = new RaftNode[nodes];
        for (var i = 0; i < nodes; i++)
        {
            _storages[i] = MemoryRaftStorage.ForNewCluster(founders);
            _nodes[i] = new RaftNode(
                new RaftOptions { Id = new NodeId((ulong)i + 1), MaxInflightMessages = 4096, MaxUncommittedBytes = 0, MaxAppendBytes = 4 * 1024 * 1024 },
                _storages[i]);
        }

        Pump();
        _nodes[0].Campaign();
        Pump();
        if (_nodes[0].Role != StateRole.Leader)
        {
            throw new InvalidOperationException("node 1 failed to become leader");
        }
    }

    /// <summary>The leader.</summary>
    public RaftNode Leader => _nodes[0];

    /// <summary>Entries applied on the leader.</summary>
    public long AppliedOnLeader { get; private set; }

    /// <summary>Proposes a batch on the leader and runs the cluster until the leader has applied it.</summary>
    public void ProposeAndCommit(IReadOnlyList<ReadOnlyMemory<byte>> batch)
    {
        var result = Leader.Propose(batch);
        if (!result.Accepted)
        {
            throw new InvalidOperationException($"proposal dropped: {result.Reason}");
        }

        var last = result.Index + (ulong)(batch.Count - 1);
        while (Leader.AppliedIndex < last)
        {
            Pump();
        }
    }

    /// <summary>Processes readies and delivers messages until the cluster is quiet.</summary>
    public void Pump()
    {
        var progress = true;
        while (progress)
        {
            progress = false;
            for (var i = 0; i < _nodes.Length; i++)
            {
                progress |= HandleReady(i);
            }

            while (_network.TryDequeue(out var message))
            {
                _nodes[message.To.Value - 1].Step(message);
                progress = true;
            }
        }
    }

    private bool HandleReady(int i)
    {
        var node = _nodes[i];
        if (!node.HasReady())
        {
            return false;
        }

        var ready = node.GetReady();
        var storage = _storages[i];
        if (ready.Snapshot is not null)
        {
            storage.ApplySnapshot(ready.Snapshot);
        }

        storage.Append(ready.Entries);
        if (ready.HardState is { } hardState)
        {
            storage.SetHardState(hardState);
        }

        foreach (var message in ready.Messages)
        {
            _network.Enqueue(message);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Type == EntryType.ConfChange)
            {
                node.ApplyConfChange(ConfChange.Decode(entry.Data));
            }
            else if (i == 0)
            {
                AppliedOnLeader++;
            }
        }

        node.Advance(ready);
        // Keep memory flat: compact everything applied (the benchmark has no lagging follower to serve).
        if (ready.CommittedEntries.Count > 0 && storage.Count > 100_000)
        {
            storage.Compact(LogIndex.Min(node.AppliedIndex, storage.LastIndex()));
        }

        return true;
    }
}
