using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>
/// The node stopped for good: its loop, its apply task or its storage failed with an error nobody handles. Every
/// waiting and later request fails with this (a 503 naming the cause); whether a waiting write was applied is unknown.
/// </summary>
public sealed class NodeFailedException : RequestFailedException
{
    /// <summary>Creates the exception for a failure of <paramref name="where"/>.</summary>
    public NodeFailedException(string where, Exception cause)
        : base(new RequestFailure(DroppedReason.NoLeader, NodeId.None,
            $"this member failed and is stopping: the {where} failed: {cause?.Message}", Indeterminate: true), cause)
    {
        Where = where;
    }

    /// <summary>Which part of the node failed (node loop, apply task, snapshot writer ...).</summary>
    public string Where { get; }
}
