namespace Distate.Raft;

/// <summary>Settings of one Raft node. Every limit is named here and checked by <see cref="Validate"/>.</summary>
public sealed record RaftOptions
{
    /// <summary>This node's id (non-zero).</summary>
    public required NodeId Id { get; init; }

    /// <summary>Ticks without hearing from a leader before a follower campaigns (randomised in [T, 2T)).</summary>
    public int ElectionTimeoutTicks { get; init; } = 10;

    /// <summary>Ticks between leader heartbeats; must be below the election timeout.</summary>
    public int HeartbeatIntervalTicks { get; init; } = 1;

    /// <summary>Seed of the core's random generator (election timeout jitter). Same seed, same behaviour.</summary>
    public ulong RandomSeed { get; init; } = 1;

    /// <summary>Ask for pre-votes before a real election, so a partitioned node cannot disrupt a healthy leader.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>A leader steps down if it has not heard from a quorum within an election timeout.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Upper bound on entry payload bytes in one append message (one larger entry still goes alone).</summary>
    public long MaxAppendBytes { get; init; } = 1024 * 1024;

    /// <summary>Append messages in flight to one follower in the replicate state.</summary>
    public int MaxInflightMessages { get; init; } = 256;

    /// <summary>Payload bytes in flight to one follower (0 = only the message count limits).</summary>
    public long MaxInflightBytes { get; init; }

    /// <summary>Proposed-but-uncommitted bytes a leader accepts before dropping proposals (0 = unlimited).</summary>
    public long MaxUncommittedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bytes of committed entries handed out in one Ready batch (at least one entry).</summary>
    public long MaxCommittedBytesPerReady { get; init; } = 16L * 1024 * 1024;

    /// <summary>The last index the host's state machine already applied when starting (0 = the snapshot index).</summary>
    public LogIndex Applied { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(Id.IsSome, nameof(Id), "must be non-zero");
        Require(HeartbeatIntervalTicks > 0, nameof(HeartbeatIntervalTicks), "must be positive");
        Require(ElectionTimeoutTicks > HeartbeatIntervalTicks, nameof(ElectionTimeoutTicks), "must exceed the heartbeat interval");
        Require(MaxAppendBytes > 0, nameof(MaxAppendBytes), "must be positive");
        Require(MaxInflightMessages > 0, nameof(MaxInflightMessages), "must be positive");
        Require(MaxInflightBytes >= 0, nameof(MaxInflightBytes), "must not be negative");
        Require(MaxUncommittedBytes >= 0, nameof(MaxUncommittedBytes), "must not be negative");
        Require(MaxCommittedBytesPerReady > 0, nameof(MaxCommittedBytesPerReady), "must be positive");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Raft setting {name} {problem}.", name);
        }
    }
}
