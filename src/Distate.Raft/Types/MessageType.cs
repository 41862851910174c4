namespace Distate.Raft;

/// <summary>The kinds of messages Raft nodes exchange (and a few local ones the host feeds in).</summary>
public enum MessageType : byte
{
    /// <summary>Local: start an election now.</summary>
    Hup = 0,

    /// <summary>Local: leader should broadcast heartbeats now.</summary>
    Beat = 1,

    /// <summary>Append entries (also used to probe a follower's log).</summary>
    Append = 2,

    /// <summary>Answer to <see cref="Append"/>: accepted up to Index, or rejected with a hint.</summary>
    AppendResponse = 3,

    /// <summary>Ask for a vote in an election.</summary>
    Vote = 4,

    /// <summary>Answer to <see cref="Vote"/>.</summary>
    VoteResponse = 5,

    /// <summary>Ask whether an election could be won, without disturbing anyone's term.</summary>
    PreVote = 6,

    /// <summary>Answer to <see cref="PreVote"/>.</summary>
    PreVoteResponse = 7,

    /// <summary>Install a snapshot on a follower whose needed entries were compacted away.</summary>
    Snapshot = 8,

    /// <summary>Leader liveness and commit propagation; carries a ReadIndex round in Context.</summary>
    Heartbeat = 9,

    /// <summary>Answer to <see cref="Heartbeat"/>, echoing its Context.</summary>
    HeartbeatResponse = 10,

    /// <summary>Local: the host reports a peer unreachable.</summary>
    Unreachable = 11,

    /// <summary>Local: the host reports whether a snapshot send succeeded (Reject = failed).</summary>
    SnapshotStatus = 12,

    /// <summary>Ask the leader to hand leadership to From (local on the leader or sent by the target).</summary>
    TransferLeader = 13,

    /// <summary>Tell the transfer target to campaign immediately.</summary>
    TimeoutNow = 14,

    /// <summary>A follower asks the leader for a read index; Context identifies the request.</summary>
    ReadIndex = 15,

    /// <summary>The leader's answer to <see cref="ReadIndex"/>: Index is the read index, Context the request (Reject = refused).</summary>
    ReadIndexResponse = 16,

    /// <summary>
    /// Host level (the node driver; never stepped into Raft): a follower forwards client proposals to the leader it
    /// knows. Entries carry the entry data; Term is the follower's term; Context identifies the forwarded batch.
    /// </summary>
    Propose = 17,

    /// <summary>
    /// Host level: the leader's answer to <see cref="Propose"/> (Context echoed). Accepted: Index is the index of the
    /// first entry and LogTerm the term they were appended in. Refused (Reject): Index holds the
    /// <see cref="DroppedReason"/>.
    /// </summary>
    ProposeResponse = 18,
}
