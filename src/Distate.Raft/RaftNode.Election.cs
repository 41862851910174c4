using Distate.Raft.Quorum;
using Distate.Raft.ReadIndex;

namespace Distate.Raft;

/// <summary>Role transitions and elections (Raft §5.2, thesis §9.6 PreVote).</summary>
public sealed partial class RaftNode
{
    private void BecomeFollower(Term term, NodeId leader)
    {
        Reset(term);
        _leader = leader;
        _role = StateRole.Follower;
        Invariant.Check(_term >= term, "term never decreases");
    }

    private void BecomePreCandidate()
    {
        Invariant.Check(_role != StateRole.Leader, "a leader cannot become a pre-candidate");
        // A pre-candidate keeps its term and vote: nobody's term moves until the pre-vote is won.
        _tracker.ResetVotes();
        DropForwardedReads(DroppedReason.NoLeader);
        _leader = NodeId.None;
        _role = StateRole.PreCandidate;
    }

    private void BecomeCandidate()
    {
        Invariant.Check(_role != StateRole.Leader, "a leader cannot become a candidate");
        Reset(_term.Next);
        _vote = Id;
        _role = StateRole.Candidate;
    }

    private void BecomeLeader()
    {
        Invariant.Check(_role == StateRole.Candidate, "only a candidate becomes leader");
        Reset(_term);
        _leader = Id;
        _role = StateRole.Leader;
        _tracker.Get(Id)?.BecomeReplicate();
        // Conf changes from earlier terms may be uncommitted in our log: allow no new one until they are applied.
        _pendingConfIndex = _log.LastIndex;
        // The no-op (§8): committing it commits everything before it and lets ReadIndex start.
        var noop = new Entry(_log.LastIndex.Next, _term, EntryType.Normal, ReadOnlyMemory<byte>.Empty);
        _log.Append([noop]);
        _termStartIndex = noop.Index;
        _broadcastPending = true;
        Invariant.Check(_log.LastTerm == _term, "the leader's last entry is of its term");
    }

    /// <summary>Resets volatile state on a term or role change.</summary>
    private void Reset(Term term)
    {
        if (_term != term)
        {
            Invariant.Check(term > _term, "term never decreases");
            _term = term;
            _vote = NodeId.None;
        }

        DropLeaderReads();
        DropForwardedReads(DroppedReason.LeadershipLost);
        _leader = NodeId.None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        _leadTransferee = NodeId.None;
        _tracker.ResetVotes();
        var next = _log.LastIndex.Next;
        foreach (var (id, progress) in _tracker.All)
        {
            progress.ResetFor(next, id == Id ? _log.StableLastIndex : LogIndex.Zero);
        }

        _pendingConfIndex = LogIndex.Zero;
        _termStartIndex = LogIndex.Zero;
        _uncommittedBytes = 0;
        _broadcastPending = false;
        _campaignAfterApply = false;
    }

    private void Hup(bool transfer)
    {
        if (_role == StateRole.Leader || !Promotable)
        {
            return;
        }

        if (HasUnappliedConfChange())
        {
            // Campaigning now could use a membership that is about to change under us; wait for apply.
            return;
        }

        Campaign(preVote: _options.PreVote && !transfer, transfer);
    }

    private void Campaign(bool preVote, bool transfer)
    {
        Term voteTerm;
        MessageType voteType;
        if (preVote)
        {
            BecomePreCandidate();
            voteTerm = _term.Next;
            voteType = MessageType.PreVote;
        }
        else
        {
            BecomeCandidate();
            voteTerm = _term;
            voteType = MessageType.Vote;
        }

        if (_tracker.RecordVote(Id, true) == VoteResult.Won)
        {
            // A single voter wins at once.
            if (preVote)
            {
                Campaign(preVote: false, transfer);
            }
            else
            {
                BecomeLeader();
            }

            return;
        }

        foreach (var voter in _tracker.Config.Voters)
        {
            if (voter == Id)
            {
                continue;
            }

            Send(new Message
            {
                Type = voteType, From = Id, To = voter, Term = voteTerm, Index = _log.LastIndex, LogTerm = _log.LastTerm,
                Context = transfer ? Message.VoteContextTransfer : 0,
            });
        }
    }

    private void HandleVoteRequest(Message m)
    {
        var response = m.Type == MessageType.Vote ? MessageType.VoteResponse : MessageType.PreVoteResponse;
        // We may vote for whoever we already voted for this term, anyone if we have neither voted nor a leader,
        // and grant any pre-vote for a future term (a pre-vote binds nothing).
        var canVote = _vote == m.From ||
            (!_vote.IsSome && !_leader.IsSome) ||
            (m.Type == MessageType.PreVote && m.Term > _term);
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            // A pre-vote answer carries the proposed term so the pre-candidate counts it.
            Send(new Message { Type = response, From = Id, To = m.From, Term = m.Term });
            if (m.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                _vote = m.From;
            }
        }
        else
        {
            Send(new Message { Type = response, From = Id, To = m.From, Term = _term, Reject = true });
        }
    }

    private void HandleVoteResponse(Message m)
    {
        var expected = _role == StateRole.PreCandidate ? MessageType.PreVoteResponse : MessageType.VoteResponse;
        if (m.Type != expected)
        {
            return;
        }

        switch (_tracker.RecordVote(m.From, !m.Reject))
        {
            case VoteResult.Won when _role == StateRole.PreCandidate:
                Campaign(preVote: false, transfer: false);
                break;
            case VoteResult.Won:
                BecomeLeader();
                break;
            case VoteResult.Lost:
                BecomeFollower(_term, NodeId.None);
                break;
        }
    }

    private bool HasUnappliedConfChange()
    {
        if (_log.Committed <= _log.Applied)
        {
            return false;
        }

        var entries = _log.TrySlice(LogIndex.Max(_log.Applied.Next, _log.FirstIndex), _log.Committed.Next, long.MaxValue);
        if (entries is null)
        {
            return false;
        }

        foreach (var entry in entries)
        {
            if (entry.Type == EntryType.ConfChange)
            {
                return true;
            }
        }

        return false;
    }

    private void DropLeaderReads()
    {
        foreach (var request in _reads.DropAll())
        {
            FailRead(request, DroppedReason.LeadershipLost);
        }
    }

    private void FailRead(ReadRequest request, DroppedReason reason)
    {
        if (request.From == Id)
        {
            _droppedReads.Add(new DroppedRead(request.RequestId, reason, _leader == Id ? NodeId.None : _leader));
        }
        else
        {
            Send(new Message { Type = MessageType.ReadIndexResponse, From = Id, To = request.From, Term = _term, Reject = true, Context = request.RequestId });
        }
    }

    private void DropForwardedReads(DroppedReason reason)
    {
        foreach (var requestId in _forwardedReads)
        {
            _droppedReads.Add(new DroppedRead(requestId, reason, NodeId.None));
        }

        _forwardedReads.Clear();
    }
}
