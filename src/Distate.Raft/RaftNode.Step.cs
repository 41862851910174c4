namespace Distate.Raft;

/// <summary>Message dispatch: term rules first (§5.1), then by role.</summary>
public sealed partial class RaftNode
{
    /// <summary>Feeds one message (from a peer, or a local one such as Hup) into the state machine.</summary>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Invariant.Check(message.To == Id, "message delivered to the wrong node");
        Invariant.Check(message.Type is not (MessageType.Propose or MessageType.ProposeResponse),
            "forwarded proposals are handled by the host (the node driver), never stepped into Raft");
        if (!StepTerm(message))
        {
            return;
        }

        switch (message.Type)
        {
            case MessageType.Hup:
                Hup(transfer: false);
                return;
            case MessageType.Vote:
            case MessageType.PreVote:
                HandleVoteRequest(message);
                return;
        }

        switch (_role)
        {
            case StateRole.Leader:
                StepLeader(message);
                break;
            case StateRole.Follower:
                StepFollower(message);
                break;
            default:
                StepCandidate(message);
                break;
        }
    }

    /// <summary>Applies the term rules; false when the message must go no further.</summary>
    private bool StepTerm(Message m)
    {
        if (m.Term == Term.Zero)
        {
            return true;
        }

        if (m.Term > _term)
        {
            return StepHigherTerm(m);
        }

        if (m.Term < _term)
        {
            StepLowerTerm(m);
            return false;
        }

        return true;
    }

    private bool StepHigherTerm(Message m)
    {
        if (m.Type is MessageType.Vote or MessageType.PreVote)
        {
            var forced = m.Context == Message.VoteContextTransfer;
            var inLease = _options.CheckQuorum && _leader.IsSome && _electionElapsed < _options.ElectionTimeoutTicks;
            if (!forced && inLease)
            {
                // We heard from a live leader within the election timeout: a disruptive candidate gets no answer.
                return false;
            }
        }

        switch (m.Type)
        {
            case MessageType.PreVote:
                // Never change term for a pre-vote.
                break;
            case MessageType.PreVoteResponse when !m.Reject:
                // Granted pre-votes carry the proposed term; our term moves only when we campaign for real.
                break;
            case MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot:
                BecomeFollower(m.Term, m.From);
                break;
            default:
                BecomeFollower(m.Term, NodeId.None);
                break;
        }

        return true;
    }

    private void StepLowerTerm(Message m)
    {
        if ((_options.CheckQuorum || _options.PreVote) && m.Type is MessageType.Heartbeat or MessageType.Append)
        {
            // A deposed leader (e.g. after a partition) learns of the new term from this and steps down;
            // without it, with PreVote, it could keep the cluster from ever hearing its higher term.
            Send(new Message { Type = MessageType.AppendResponse, From = Id, To = m.From, Term = _term });
        }
        else if (m.Type == MessageType.PreVote)
        {
            Send(new Message { Type = MessageType.PreVoteResponse, From = Id, To = m.From, Term = _term, Reject = true });
        }

        // Anything else from an old term is stale and ignored.
    }

    private void StepLeader(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Beat:
                BroadcastHeartbeat(_reads.LastSentRoundId);
                return;
            case MessageType.ReadIndex:
                HandleLeaderReadIndex(new ReadIndex.ReadRequest(m.Context, m.From));
                return;
            case MessageType.TransferLeader:
                HandleTransferLeader(new NodeId(m.Context));
                return;
        }

        var progress = _tracker.Get(m.From);
        if (progress is null)
        {
            return;
        }

        switch (m.Type)
        {
            case MessageType.AppendResponse:
                HandleAppendResponse(m, progress);
                break;
            case MessageType.HeartbeatResponse:
                HandleHeartbeatResponse(m, progress);
                break;
            case MessageType.SnapshotStatus:
                HandleSnapshotStatus(m, progress);
                break;
            case MessageType.Unreachable:
                if (progress.State == Progress.ProgressState.Replicate)
                {
                    progress.BecomeProbe();
                }

                break;
        }
    }

    private void StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Append:
                FollowLeader(m.From);
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                FollowLeader(m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                FollowLeader(m.From);
                HandleSnapshot(m);
                break;
            case MessageType.TransferLeader:
                ForwardTransfer(new NodeId(m.Context));
                break;
            case MessageType.TimeoutNow:
                // The leader handed us leadership: campaign at once, skipping pre-vote (the leader stepped aside).
                // If a membership change is committed but not yet applied here (typically the removal of the old
                // leader, sent just before this), campaign as soon as the host has applied it.
                if (Promotable && !HasUnappliedConfChange())
                {
                    Campaign(preVote: false, transfer: true);
                }
                else if (Promotable)
                {
                    _campaignAfterApply = true;
                }

                break;
            default:
                StepNonLeaderReads(m);
                break;
        }
    }

    private void StepCandidate(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot:
                // A leader exists in our term: we lost.
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                break;
            case MessageType.VoteResponse or MessageType.PreVoteResponse:
                HandleVoteResponse(m);
                break;
            default:
                StepNonLeaderReads(m);
                break;
        }
    }

    private void StepNonLeaderReads(Message m)
    {
        switch (m.Type)
        {
            case MessageType.ReadIndex:
                // We are not the leader: refuse rather than forward (forwarding can loop during an election).
                Send(new Message { Type = MessageType.ReadIndexResponse, From = Id, To = m.From, Term = _term, Reject = true, Context = m.Context });
                break;
            case MessageType.ReadIndexResponse:
                HandleReadIndexResponse(m);
                break;
        }
    }

    private void FollowLeader(NodeId leader)
    {
        _electionElapsed = 0;
        if (_leader != leader)
        {
            // Reads forwarded to a previous leader will never be answered now.
            DropForwardedReads(DroppedReason.LeadershipLost);
            _leader = leader;
        }
    }
}
