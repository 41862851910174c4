using Distate.Raft.Progress;

namespace Distate.Raft;

/// <summary>Log replication (§5.3), commit (§5.4.2), heartbeats and snapshots (§7).</summary>
public sealed partial class RaftNode
{
    private void BroadcastAppend()
    {
        foreach (var id in _tracker.All.Keys)
        {
            if (id != Id)
            {
                SendAppend(id);
            }
        }
    }

    /// <summary>Sends what the follower needs: one probe, or a pipeline of appends up to the in-flight window.</summary>
    private void SendAppend(NodeId to)
    {
        var progress = _tracker.Get(to);
        if (progress is null || !MaybeSendAppend(to, progress, sendIfEmpty: true))
        {
            return;
        }

        while (progress.State == ProgressState.Replicate && MaybeSendAppend(to, progress, sendIfEmpty: false))
        {
        }
    }

    private bool MaybeSendAppend(NodeId to, Progress.Progress progress, bool sendIfEmpty)
    {
        if (progress.IsPaused)
        {
            return false;
        }

        var previous = progress.Next.Previous;
        if (!_log.TryTerm(previous, out var previousTerm))
        {
            return MaybeSendSnapshot(to, progress);
        }

        var entries = _log.TrySlice(progress.Next, _log.LastIndex.Next, _options.MaxAppendBytes);
        if (entries is null)
        {
            return MaybeSendSnapshot(to, progress);
        }

        if (entries.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        var message = new Message
        {
            Type = MessageType.Append, From = Id, To = to, Term = _term, Index = previous, LogTerm = previousTerm,
            Entries = entries.ToArray(), Commit = _log.Committed,
        };
        Send(message);
        var last = entries.Count > 0 ? entries[^1].Index : previous;
        progress.SentEntries(last, entries.Count, message.PayloadBytes);
        return true;
    }

    private bool MaybeSendSnapshot(NodeId to, Progress.Progress progress)
    {
        if (!progress.RecentActive)
        {
            // Do not ship a snapshot to a member we have not heard from lately.
            return false;
        }

        var snapshot = _log.CurrentSnapshot();
        Invariant.Check(!snapshot.IsEmpty, "entries were compacted but no snapshot covers them");
        Send(new Message { Type = MessageType.Snapshot, From = Id, To = to, Term = _term, Snapshot = snapshot });
        progress.BecomeSnapshot(snapshot.Metadata.Index);
        return true;
    }

    private void BroadcastHeartbeat(ulong readRound)
    {
        foreach (var (id, progress) in _tracker.All)
        {
            if (id == Id)
            {
                continue;
            }

            // Never tell a follower to commit beyond what it is known to hold.
            var commit = LogIndex.Min(progress.Match, _log.Committed);
            Send(new Message { Type = MessageType.Heartbeat, From = Id, To = id, Term = _term, Commit = commit, Context = readRound });
        }
    }

    private void HandleAppend(Message m)
    {
        if (m.Index < _log.Committed)
        {
            Send(new Message { Type = MessageType.AppendResponse, From = Id, To = m.From, Term = _term, Index = _log.Committed });
            return;
        }

        if (_log.TryAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out var lastNewIndex))
        {
            Send(new Message { Type = MessageType.AppendResponse, From = Id, To = m.From, Term = _term, Index = lastNewIndex });
            return;
        }

        // Tell the leader where our log could match: the last index ≤ its probe whose term ≤ the probe's term.
        var hint = LogIndex.Min(m.Index, _log.LastIndex);
        var (hintIndex, hintTerm) = _log.FindConflictByTerm(hint, m.LogTerm);
        Send(new Message
        {
            Type = MessageType.AppendResponse, From = Id, To = m.From, Term = _term, Index = m.Index, Reject = true,
            RejectHint = hintIndex, LogTerm = hintTerm,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        _log.CommitTo(LogIndex.Min(m.Commit, _log.LastIndex));
        Send(new Message { Type = MessageType.HeartbeatResponse, From = Id, To = m.From, Term = _term, Context = m.Context });
    }

    private void HandleSnapshot(Message m)
    {
        var snapshot = m.Snapshot;
        Invariant.Check(snapshot is not null, "snapshot message without a snapshot");
        var index = RestoreSnapshot(snapshot) ? _log.LastIndex : _log.Committed;
        Send(new Message { Type = MessageType.AppendResponse, From = Id, To = m.From, Term = _term, Index = index });
    }

    /// <summary>Installs a leader's snapshot unless our log already covers it; true when installed.</summary>
    private bool RestoreSnapshot(Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        if (meta.Index <= _log.Committed)
        {
            return false;
        }

        if (_log.MatchTerm(meta.Index, meta.Term))
        {
            // Our log already has the snapshot's last entry: just fast-forward commit.
            _log.CommitTo(meta.Index);
            return false;
        }

        _log.Restore(snapshot);
        _tracker.ApplyConfig(meta.ConfState, _log.LastIndex.Next);
        Invariant.Check(_log.Committed == meta.Index, "commit equals the restored snapshot index");
        return true;
    }

    private void HandleAppendResponse(Message m, Progress.Progress progress)
    {
        progress.RecentActive = true;
        if (m.Reject)
        {
            HandleAppendRejection(m, progress);
            return;
        }

        var wasPaused = progress.IsPaused;
        if (!progress.MaybeUpdate(m.Index))
        {
            return;
        }

        switch (progress.State)
        {
            case ProgressState.Probe:
                progress.BecomeReplicate();
                break;
            case ProgressState.Snapshot when progress.Match.Next >= _log.FirstIndex:
                progress.BecomeProbe();
                progress.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                progress.Inflights.FreeLessOrEqual(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // Followers learn the new commit index from the next append.
            BroadcastAppend();
        }
        else if (wasPaused)
        {
            SendAppend(m.From);
        }

        while (MaybeSendAppend(m.From, progress, sendIfEmpty: false))
        {
        }

        if (m.From == _leadTransferee && progress.Match == _log.LastIndex)
        {
            SendTimeoutNow(m.From);
        }
    }

    private void HandleAppendRejection(Message m, Progress.Progress progress)
    {
        var nextProbe = m.RejectHint;
        if (m.LogTerm > Term.Zero)
        {
            // Skip every index whose term in our log exceeds the follower's term at the hint: none can match.
            nextProbe = _log.FindConflictByTerm(m.RejectHint, m.LogTerm).Index;
        }

        if (!progress.MaybeDecreaseTo(m.Index, nextProbe))
        {
            return;
        }

        if (progress.State == ProgressState.Replicate)
        {
            progress.BecomeProbe();
        }

        SendAppend(m.From);
    }

    private void HandleHeartbeatResponse(Message m, Progress.Progress progress)
    {
        progress.RecentActive = true;
        progress.ProbeSent = false;
        if (progress.State == ProgressState.Replicate && progress.Inflights.Full)
        {
            progress.Inflights.FreeFirst();
        }

        if (progress.Match < _log.LastIndex)
        {
            SendAppend(m.From);
        }

        if (m.Context != 0 && _tracker.Config.IsVoter(m.From))
        {
            _reads.Acknowledge(m.From, m.Context);
            ReleaseConfirmedReads();
        }
    }

    private void HandleSnapshotStatus(Message m, Progress.Progress progress)
    {
        if (progress.State != ProgressState.Snapshot)
        {
            return;
        }

        // Either way, wait for the follower's answer (or a heartbeat) before sending more.
        progress.BecomeProbe();
        progress.ProbeSent = true;
        if (m.Reject)
        {
            progress.RecentActive = false;
        }
    }

    /// <summary>Advances commit to what a majority holds, if that entry is of our term (§5.4.2).</summary>
    private bool MaybeCommit()
    {
        if (_role != StateRole.Leader || _tracker.Config.Voters.Length == 0)
        {
            return false;
        }

        var quorumIndex = _tracker.CommittedIndex();
        if (!_log.MaybeCommit(quorumIndex, _term))
        {
            return false;
        }

        if (CommittedInTerm)
        {
            _reads.ReleaseHeld(_log.Committed);
        }

        return true;
    }

    /// <summary>True once this leader committed an entry of its own term (its no-op).</summary>
    private bool CommittedInTerm => _termStartIndex > LogIndex.Zero && _log.Committed >= _termStartIndex;
}
