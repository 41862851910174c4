using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>The cluster could not accept or complete a request; <see cref="Failure"/> says why, where the leader is, and
/// whether a write may still have been applied.</summary>
public class RequestFailedException : Exception
{
    /// <summary>Creates the exception for a failure.</summary>
    public RequestFailedException(RequestFailure failure) : base(failure?.Message)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure = failure;
    }

    /// <summary>Creates the exception for a failure with its cause.</summary>
    public RequestFailedException(RequestFailure failure, Exception? cause) : base(failure?.Message, cause)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure = failure;
    }

    /// <summary>Creates a determinate failure with a message (no leader known).</summary>
    public RequestFailedException(string message) : this(new RequestFailure(DroppedReason.NoLeader, NodeId.None, message))
    {
    }

    /// <summary>Creates an empty failure.</summary>
    public RequestFailedException() : this("the request failed")
    {
    }

    /// <summary>Creates a determinate failure with a message and cause.</summary>
    public RequestFailedException(string message, Exception inner) : this(new RequestFailure(DroppedReason.NoLeader, NodeId.None, message), inner)
    {
    }

    /// <summary>Why it failed.</summary>
    public RequestFailure Failure { get; }

    /// <summary>Raft's reason.</summary>
    public DroppedReason Reason => Failure.Reason;

    /// <summary>Where the leader is, if known.</summary>
    public NodeId LeaderHint => Failure.LeaderHint;

    /// <summary>True when the request may still have been applied (the outcome is unknown).</summary>
    public bool Indeterminate => Failure.Indeterminate;
}
