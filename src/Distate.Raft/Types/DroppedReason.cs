namespace Distate.Raft;

/// <summary>Why a proposal or read was not accepted.</summary>
public enum DroppedReason : byte
{
    /// <summary>Not dropped.</summary>
    None = 0,

    /// <summary>This node is not the leader; see the leader hint.</summary>
    NotLeader = 1,

    /// <summary>No leader is known: an election is under way or the cluster has no quorum.</summary>
    NoLeader = 2,

    /// <summary>The leader is handing over leadership; retry on the new leader shortly.</summary>
    TransferInProgress = 3,

    /// <summary>Too many bytes are proposed but not yet committed; the cluster is behind, retry later.</summary>
    UncommittedLimit = 4,

    /// <summary>A membership change is still pending; only one may be in flight.</summary>
    ConfChangePending = 5,

    /// <summary>The leader has not yet committed an entry of its term; retry shortly.</summary>
    LeaderNotReady = 6,

    /// <summary>The membership change makes no sense for the current configuration.</summary>
    InvalidConfChange = 7,

    /// <summary>Leadership was lost before the request completed.</summary>
    LeadershipLost = 8,

    /// <summary>This node was removed from the cluster.</summary>
    Removed = 9,

    /// <summary>A single proposal is larger than an append message may carry.</summary>
    TooLarge = 10,
}
