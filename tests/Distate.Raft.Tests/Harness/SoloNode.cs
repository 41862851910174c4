namespace Distate.Raft.Tests.Harness;

/// <summary>
/// One core driven message by message, with no network: the test plays every peer by stepping hand-built messages
/// and reading what the node sends back. The host contract (persist, send, apply, advance) is followed on each flush.
/// </summary>
internal sealed class SoloNode
{
    /// <summary>Creates node <paramref name="id"/> over <paramref name="storage"/> (default: a fresh bootstrap of <paramref name="voters"/>).</summary>
    public SoloNode(ulong id, ulong[] voters, Func<RaftOptions, RaftOptions>? configure = null, MemoryRaftStorage? storage = null)
    {
        Options = (configure ?? (o => o))(TestCluster.DefaultOptions(id));
        Storage = storage ?? new MemoryRaftStorage(ConfState.OfVoters(voters));
        Raft = new RaftNode(Options, Storage);
    }

    /// <summary>The node's settings.</summary>
    public RaftOptions Options { get; }

    /// <summary>Its durable storage.</summary>
    public MemoryRaftStorage Storage { get; }

    /// <summary>Its core (replaced by <see cref="Restart"/>).</summary>
    public RaftNode Raft { get; private set; }

    /// <summary>Every Ready processed, in order.</summary>
    public List<Ready> Readies { get; } = [];

    /// <summary>Every committed entry applied, in order.</summary>
    public List<Entry> Applied { get; } = [];

    /// <summary>Storage preloaded with entries whose terms are given in index order (index 1 first), and a hard state.</summary>
    public static MemoryRaftStorage StorageWithLog(ulong[] voters, ulong term, params ulong[] entryTerms)
    {
        var storage = new MemoryRaftStorage(ConfState.OfVoters(voters));
        storage.Append(Entries(1, entryTerms));
        storage.SetHardState(new HardState(new Term(term), NodeId.None, LogIndex.Zero));
        return storage;
    }

    /// <summary>Entries starting at <paramref name="firstIndex"/> with the given terms and a one-byte payload each.</summary>
    public static Entry[] Entries(ulong firstIndex, params ulong[] terms)
    {
        var entries = new Entry[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            entries[i] = new Entry(new LogIndex(firstIndex + (ulong)i), new Term(terms[i]), EntryType.Normal, new byte[] { (byte)('a' + i) });
        }

        return entries;
    }

    /// <summary>Steps a message and returns everything the node sends as a result.</summary>
    public List<Message> Step(Message message)
    {
        Raft.Step(message);
        return Flush();
    }

    /// <summary>Ticks and returns what the node sends.</summary>
    public List<Message> Tick(int count = 1)
    {
        var sent = new List<Message>();
        for (var i = 0; i < count; i++)
        {
            Raft.Tick();
            sent.AddRange(Flush());
        }

        return sent;
    }

    /// <summary>Processes every pending Ready per the host contract; returns the messages it would send.</summary>
    public List<Message> Flush()
    {
        var sent = new List<Message>();
        while (Raft.HasReady())
        {
            var ready = Raft.GetReady();
            Readies.Add(ready);
            if (ready.Snapshot is { } snapshot)
            {
                Storage.ApplySnapshot(snapshot);
            }

            Storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                Storage.SetHardState(hardState);
            }

            sent.AddRange(ready.Messages);
            foreach (var entry in ready.CommittedEntries)
            {
                Applied.Add(entry);
                if (entry.Type == EntryType.ConfChange)
                {
                    Raft.ApplyConfChange(ConfChange.Decode(entry.Data));
                }
            }

            Raft.Advance(ready);
        }

        return sent;
    }

    /// <summary>A new core over the same storage, as after a crash.</summary>
    public void Restart()
    {
        Raft = new RaftNode(Options, Storage);
        Readies.Clear();
        Applied.Clear();
    }

    /// <summary>Makes this node leader of its term by campaigning and feeding grants from <paramref name="voters"/>.</summary>
    public List<Message> BecomeLeaderWithVotesFrom(params ulong[] voters)
    {
        Raft.Campaign();
        Flush();
        if (Raft.Role == StateRole.PreCandidate)
        {
            foreach (var voter in voters)
            {
                Step(Msg(MessageType.PreVoteResponse, voter, Raft.Term.Next));
            }
        }

        var sent = new List<Message>();
        foreach (var voter in voters)
        {
            sent = Step(Msg(MessageType.VoteResponse, voter, Raft.Term));
        }

        Assert.Equal(StateRole.Leader, Raft.Role);
        return sent;
    }

    /// <summary>A message to this node from <paramref name="from"/>.</summary>
    public Message Msg(MessageType type, ulong from, Term term) =>
        new() { Type = type, From = new NodeId(from), To = Raft.Id, Term = term };
}
