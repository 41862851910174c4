using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>Why a proposal or read failed, where to retry, and whether a write may still have been applied.</summary>
/// <param name="Reason">Raft's reason.</param>
/// <param name="LeaderHint">The leader to retry on, or None.</param>
/// <param name="Message">What a client is told.</param>
/// <param name="Indeterminate">True when the outcome is unknown (the write may still be applied).</param>
public sealed record RequestFailure(DroppedReason Reason, NodeId LeaderHint, string Message, bool Indeterminate = false)
{
    /// <summary>A determinate refusal with the standard message for <paramref name="reason"/>.</summary>
    public static RequestFailure For(DroppedReason reason, NodeId leaderHint) => new(reason, leaderHint, Describe(reason));

    /// <summary>A message a client can act on for each reason a request was refused.</summary>
    public static string Describe(DroppedReason reason) => reason switch
    {
        DroppedReason.NotLeader => "this member is not the leader; retry on the leader",
        DroppedReason.NoLeader => "no leader: an election is under way or the cluster has lost quorum; retry shortly",
        DroppedReason.TransferInProgress => "leadership is being transferred; retry shortly",
        DroppedReason.UncommittedLimit => "too many writes are waiting to commit; slow down and retry",
        DroppedReason.ConfChangePending => "another membership change is still pending; retry when it completes",
        DroppedReason.LeaderNotReady => "the new leader has not committed its first entry yet; retry shortly",
        DroppedReason.InvalidConfChange => "the membership change does not fit the current membership",
        DroppedReason.LeadershipLost => "leadership changed before the request completed; retry",
        DroppedReason.Removed => "this member has been removed from the cluster",
        DroppedReason.TooLarge => "the request is larger than one log entry may be",
        _ => reason.ToString(),
    };

    /// <summary>True when a retry soon may succeed (an election, a new leader getting ready) and nothing was applied.</summary>
    public bool IsTransient =>
        !Indeterminate && Reason is DroppedReason.NoLeader or DroppedReason.LeaderNotReady or DroppedReason.TransferInProgress or DroppedReason.LeadershipLost;
}
