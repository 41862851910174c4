using System.Text;

namespace Distate.Raft.Tests.Harness;

/// <summary>
/// One member of a <see cref="TestCluster"/>: the Raft core, its durable storage and a tiny state machine (the list
/// of applied payloads) plus everything the host was handed (applied entries, reads, dropped reads, readies).
/// </summary>
internal sealed class TestNode
{
    /// <summary>Creates a node over the given storage (a fresh one, or one kept across a crash).</summary>
    public TestNode(RaftOptions options, MemoryRaftStorage storage)
    {
        Options = options;
        Storage = storage;
        Raft = new RaftNode(options, storage);
        RestoreState(storage.LatestSnapshot());
    }

    /// <summary>The node id as a number, for terse tests.</summary>
    public ulong Id => Options.Id.Value;

    /// <summary>Settings the node was started with.</summary>
    public RaftOptions Options { get; }

    /// <summary>What the host persisted; survives crashes.</summary>
    public MemoryRaftStorage Storage { get; }

    /// <summary>The consensus core (replaced on restart).</summary>
    public RaftNode Raft { get; private set; }

    /// <summary>True while crashed: it neither ticks nor receives messages.</summary>
    public bool Crashed { get; set; }

    /// <summary>Every committed entry the host applied since the last (re)start, in order.</summary>
    public List<Entry> AppliedEntries { get; } = [];

    /// <summary>The state machine: (index, payload) of each applied non-empty normal entry, snapshot included.</summary>
    public List<(LogIndex Index, string Data)> State { get; } = [];

    /// <summary>Reads the core released to this host.</summary>
    public List<ReadState> Reads { get; } = [];

    /// <summary>Reads the core dropped on this host.</summary>
    public List<DroppedRead> DroppedReads { get; } = [];

    /// <summary>Proposals this host made and has not yet seen resolved (committed, failed or replaced by a snapshot).</summary>
    public List<(LogIndex Index, Term Term)> PendingProposals { get; } = [];

    /// <summary>Proposals this host reported failed; one of them ever being applied would be a lie told to a client.</summary>
    public HashSet<(LogIndex Index, Term Term)> FailedProposals { get; } = [];

    /// <summary>Every Ready this host processed since the last (re)start, in order.</summary>
    public List<Ready> Readies { get; } = [];

    /// <summary>The payloads of the state machine, in order.</summary>
    public IReadOnlyList<string> Values => State.ConvertAll(s => s.Data);

    /// <summary>Simulates a restart: a new core over the same storage; the state machine restarts from its snapshot.</summary>
    public void Restart()
    {
        Raft = new RaftNode(Options, Storage);
        AppliedEntries.Clear();
        Readies.Clear();
        // The process that waited on them is gone; a real client would see its connection drop.
        PendingProposals.Clear();
        RestoreState(Storage.LatestSnapshot());
        Crashed = false;
    }

    /// <summary>Applies one committed normal entry to the state machine.</summary>
    public void ApplyNormal(Entry entry)
    {
        if (!entry.Data.IsEmpty)
        {
            State.Add((entry.Index, Encoding.UTF8.GetString(entry.Data.Span)));
        }
    }

    /// <summary>Serialises the state machine up to and including <paramref name="index"/> as snapshot data.</summary>
    public byte[] EncodeState(LogIndex index)
    {
        var lines = new List<string>();
        foreach (var (at, data) in State)
        {
            if (at <= index)
            {
                lines.Add($"{at.Value}:{data}");
            }
        }

        return Encoding.UTF8.GetBytes(string.Join("\n", lines));
    }

    /// <summary>Replaces the state machine with a snapshot's content.</summary>
    public void RestoreState(Snapshot snapshot)
    {
        State.Clear();
        if (snapshot.Data.IsEmpty)
        {
            return;
        }

        foreach (var line in Encoding.UTF8.GetString(snapshot.Data.Span).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            State.Add((new LogIndex(ulong.Parse(line[..colon], System.Globalization.CultureInfo.InvariantCulture)), line[(colon + 1)..]));
        }
    }
}
