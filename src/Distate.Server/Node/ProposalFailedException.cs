using Distate.Raft;

namespace Distate.Server.Node;

/// <summary>The cluster could not accept or complete a request; the reason and leader hint say what to do.</summary>
public class ProposalFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProposalFailedException(DroppedReason reason, NodeId leaderHint, string message) : base(message)
    {
        Reason = reason;
        LeaderHint = leaderHint;
    }

    /// <summary>Creates the exception with its cause.</summary>
    protected ProposalFailedException(DroppedReason reason, NodeId leaderHint, string message, Exception cause) : base(message, cause)
    {
        Reason = reason;
        LeaderHint = leaderHint;
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProposalFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ProposalFailedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ProposalFailedException() { }

    /// <summary>Why the request failed.</summary>
    public DroppedReason Reason { get; }

    /// <summary>Where the leader is, if known.</summary>
    public NodeId LeaderHint { get; }

    /// <summary>True when the request may still have been applied (the outcome is unknown).</summary>
    public bool Indeterminate { get; init; }
}
