namespace Distate.Raft;

/// <summary>A read request the core gave up on, so the host can fail it at once instead of timing out.</summary>
/// <param name="RequestId">The id the host gave to <c>RaftNode.ReadIndex</c>.</param>
/// <param name="Reason">Why it was dropped.</param>
/// <param name="LeaderHint">Where to retry, or None.</param>
public readonly record struct DroppedRead(ulong RequestId, DroppedReason Reason, NodeId LeaderHint);
