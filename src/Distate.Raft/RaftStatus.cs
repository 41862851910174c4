namespace Distate.Raft;

/// <summary>A point-in-time view of a node, for status pages, metrics and tests.</summary>
/// <param name="Id">The node.</param>
/// <param name="Term">Its term.</param>
/// <param name="Vote">Its vote in that term.</param>
/// <param name="Leader">The leader it knows of.</param>
/// <param name="Role">Its role.</param>
/// <param name="Commit">Its commit index.</param>
/// <param name="Applied">Its applied index.</param>
/// <param name="LastIndex">Its last log index.</param>
/// <param name="Config">The membership it uses.</param>
/// <param name="Progress">On a leader, each member's replication progress; empty otherwise.</param>
/// <param name="LeadTransferee">A leadership transfer target, or None.</param>
public sealed record RaftStatus(
    NodeId Id,
    Term Term,
    NodeId Vote,
    NodeId Leader,
    StateRole Role,
    LogIndex Commit,
    LogIndex Applied,
    LogIndex LastIndex,
    ConfState Config,
    IReadOnlyDictionary<NodeId, PeerProgress> Progress,
    NodeId LeadTransferee);
