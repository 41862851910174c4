namespace Distate.Raft;

/// <summary>What happened to a proposal: appended at an index, or dropped with a reason and a leader hint.</summary>
/// <param name="Reason">None when accepted.</param>
/// <param name="Index">The index of the first appended entry when accepted.</param>
/// <param name="Term">The term the entries were appended in; the proposal succeeded iff the entry applied at Index has this term.</param>
/// <param name="LeaderHint">The leader to retry on when dropped, or None.</param>
public readonly record struct ProposeResult(DroppedReason Reason, LogIndex Index, Term Term, NodeId LeaderHint)
{
    /// <summary>True when the entries were appended to the leader's log.</summary>
    public bool Accepted => Reason == DroppedReason.None;

    /// <summary>A dropped proposal.</summary>
    public static ProposeResult Dropped(DroppedReason reason, NodeId leaderHint) =>
        new(reason, LogIndex.Zero, Term.Zero, leaderHint);
}
