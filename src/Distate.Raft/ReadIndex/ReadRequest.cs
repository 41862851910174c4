namespace Distate.Raft.ReadIndex;

/// <summary>A read waiting for leadership confirmation: the host's id and the node that asked (self or a follower).</summary>
internal readonly record struct ReadRequest(ulong RequestId, NodeId From);
