namespace Distate.Raft;

/// <summary>Leadership transfer (thesis §3.10): catch the target up, then tell it to campaign now.</summary>
public sealed partial class RaftNode
{
    /// <summary>Asks the leader (this node or, via a message, the known leader) to hand leadership to target.</summary>
    public void TransferLeadership(NodeId target)
    {
        if (_role == StateRole.Leader)
        {
            HandleTransferLeader(target);
        }
        else
        {
            ForwardTransfer(target);
        }
    }

    /// <summary>Tells the transport's verdict on a peer: unreachable peers are probed instead of pipelined.</summary>
    public void ReportUnreachable(NodeId peer) =>
        Step(new Message { Type = MessageType.Unreachable, From = peer, To = Id });

    /// <summary>Tells whether sending a snapshot to a peer succeeded.</summary>
    public void ReportSnapshot(NodeId peer, bool succeeded) =>
        Step(new Message { Type = MessageType.SnapshotStatus, From = peer, To = Id, Reject = !succeeded });

    private void ForwardTransfer(NodeId target)
    {
        if (_leader.IsSome && _leader != Id)
        {
            Send(new Message { Type = MessageType.TransferLeader, From = Id, To = _leader, Context = target.Value });
        }
    }

    private void HandleTransferLeader(NodeId target)
    {
        if (!_tracker.Config.IsVoter(target) || target == Id)
        {
            return;
        }

        if (_leadTransferee.IsSome)
        {
            if (_leadTransferee == target)
            {
                return;
            }

            AbortLeaderTransfer();
        }

        // The transfer must finish within an election timeout, or it is abandoned (see TickHeartbeat).
        _electionElapsed = 0;
        _leadTransferee = target;
        var progress = _tracker.Get(target);
        Invariant.Check(progress is not null, "a voter has progress");
        if (progress.Match == _log.LastIndex)
        {
            SendTimeoutNow(target);
        }
        else
        {
            SendAppend(target);
        }
    }

    private void SendTimeoutNow(NodeId target) =>
        Send(new Message { Type = MessageType.TimeoutNow, From = Id, To = target, Term = _term });

    private void AbortLeaderTransfer() => _leadTransferee = NodeId.None;
}
