using Distate.Raft.ReadIndex;

namespace Distate.Raft;

/// <summary>Linearizable reads through ReadIndex (thesis §6.4).</summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Requests a linearizable read. The answer arrives in a later <see cref="Ready"/>: a <see cref="ReadState"/>
    /// once leadership is confirmed and applied ≥ the read index, or a <see cref="DroppedRead"/> with a reason.
    /// A follower asks the leader; reads given before the next <see cref="GetReady"/> share one heartbeat round.
    /// </summary>
    public void ReadIndex(ulong requestId)
    {
        if (_role == StateRole.Leader)
        {
            HandleLeaderReadIndex(new ReadRequest(requestId, Id));
        }
        else if (!_leader.IsSome)
        {
            _droppedReads.Add(new DroppedRead(requestId, DroppedReason.NoLeader, NodeId.None));
        }
        else
        {
            Invariant.Check(_forwardedReads.Add(requestId), "read request ids must be unique while pending");
            Send(new Message { Type = MessageType.ReadIndex, From = Id, To = _leader, Context = requestId });
        }
    }

    private void HandleLeaderReadIndex(ReadRequest request)
    {
        if (CommittedInTerm)
        {
            _reads.Add(request, _log.Committed);
        }
        else
        {
            // Until our no-op commits, our commit index may lag what an earlier leader committed: hold the read.
            _reads.Hold(request);
        }
    }

    /// <summary>Releases every round a majority of voters acknowledged.</summary>
    private void ReleaseConfirmedReads()
    {
        var confirmed = _tracker.QuorumOf(voter => _reads.AckedBy(voter, Id));
        foreach (var round in _reads.TakeConfirmed(confirmed))
        {
            Invariant.Check(round.Index <= _log.Committed, "a read index never exceeds commit");
            foreach (var request in round.Requests)
            {
                if (request.From == Id)
                {
                    _readStates.Add(new ReadState(request.RequestId, round.Index));
                }
                else
                {
                    Send(new Message
                    {
                        Type = MessageType.ReadIndexResponse, From = Id, To = request.From, Term = _term, Index = round.Index,
                        Context = request.RequestId,
                    });
                }
            }
        }
    }

    private void HandleReadIndexResponse(Message m)
    {
        if (!_forwardedReads.Remove(m.Context))
        {
            return;
        }

        if (m.Reject)
        {
            _droppedReads.Add(new DroppedRead(m.Context, DroppedReason.NotLeader, _leader));
        }
        else
        {
            _readStates.Add(new ReadState(m.Context, m.Index));
        }
    }
}
