namespace Distate.Node;

/// <summary>Settings of the node driver; every limit is named here and checked by <see cref="Validate"/>.</summary>
public sealed record NodeDriverOptions
{
    /// <summary>Bytes of proposals handed to Raft in one call: each slice meets Raft's uncommitted budget on its own.</summary>
    public long MaxProposalSliceBytes { get; init; } = 1024 * 1024;

    /// <summary>Applied entries between snapshots (0: never).</summary>
    public int SnapshotEveryEntries { get; init; } = 100_000;

    /// <summary>Entries kept behind a recorded snapshot so lagging followers catch up from the log.</summary>
    public int EntriesKeptBehindSnapshot { get; init; } = 50_000;

    /// <summary>Ticks between attempts of a read-only (full-disk) leader to hand leadership away.</summary>
    public int HandOffEveryTicks { get; init; } = 10;

    /// <summary>Whether a follower forwards client proposals to the leader it knows (over the peer transport, answered
    /// when the entry is applied here) instead of refusing them with NotLeader.</summary>
    public bool ForwardProposals { get; init; } = true;

    /// <summary>Ticks a follower waits for the leader to accept or refuse a forwarded batch before failing it as
    /// indeterminate (the message or its answer may be lost).</summary>
    public int ForwardTimeoutTicks { get; init; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(MaxProposalSliceBytes > 0, nameof(MaxProposalSliceBytes), "must be positive");
        Require(SnapshotEveryEntries >= 0, nameof(SnapshotEveryEntries), "must not be negative");
        Require(EntriesKeptBehindSnapshot >= 0, nameof(EntriesKeptBehindSnapshot), "must not be negative");
        Require(HandOffEveryTicks > 0, nameof(HandOffEveryTicks), "must be positive");
        Require(ForwardTimeoutTicks > 0, nameof(ForwardTimeoutTicks), "must be positive");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Node driver setting {name} {problem}.", name);
        }
    }
}
