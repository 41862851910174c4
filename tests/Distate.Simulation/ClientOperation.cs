using Distate.Raft;

namespace Distate.Simulation;

/// <summary>What an operation turned out to be.</summary>
public enum OperationOutcome
{
    /// <summary>Not finished yet.</summary>
    Pending,

    /// <summary>Acknowledged to the client.</summary>
    Ok,

    /// <summary>Definitely had no effect.</summary>
    Failed,

    /// <summary>The client lost track (node crashed or was removed): may or may not have taken effect.</summary>
    Unknown,
}

/// <summary>One client operation in the history: a write or a linearizable read of a register.</summary>
public sealed class ClientOperation
{
    /// <summary>Unique id (also the written value, or the read request id).</summary>
    public required ulong Id { get; init; }

    /// <summary>True for a write.</summary>
    public required bool IsWrite { get; init; }

    /// <summary>The register.</summary>
    public required byte Key { get; init; }

    /// <summary>The client that issued it.</summary>
    public required int Client { get; init; }

    /// <summary>Step at which it was invoked.</summary>
    public required long InvokedAt { get; init; }

    /// <summary>Step at which it completed (long.MaxValue while pending or unknown).</summary>
    public long CompletedAt { get; set; } = long.MaxValue;

    /// <summary>How it ended.</summary>
    public OperationOutcome Outcome { get; set; }

    /// <summary>The node handling it now.</summary>
    public NodeId Node { get; set; }

    /// <summary>For an accepted write: where it was appended.</summary>
    public LogIndex ProposedIndex { get; set; }

    /// <summary>For an accepted write: the term it was appended in.</summary>
    public Term ProposedTerm { get; set; }

    /// <summary>For a completed read: the write it observed (0 = none).</summary>
    public ulong ObservedWrite { get; set; }

    /// <summary>For a completed read: the index of the write it observed.</summary>
    public LogIndex ObservedIndex { get; set; }

    /// <summary>Step after which a pending read is abandoned.</summary>
    public long DeadlineAt { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsWrite ? "write" : "read")}#{Id} key={Key} client={Client} on={Node} [{InvokedAt},{(CompletedAt == long.MaxValue ? "∞" : CompletedAt)}] {Outcome}" +
        (IsWrite ? $" at={ProposedTerm}/{ProposedIndex}" : $" saw=#{ObservedWrite}@{ObservedIndex}");
}
