namespace Distate.Raft;

/// <summary>A confirmed linearizable read: the host may serve request <paramref name="RequestId"/> from its applied state.</summary>
/// <param name="RequestId">The id the host gave to <c>RaftNode.ReadIndex</c>.</param>
/// <param name="Index">The read index; the core releases the read only once applied ≥ this index.</param>
public readonly record struct ReadState(ulong RequestId, LogIndex Index);
