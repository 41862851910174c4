namespace Distate.Raft;

/// <summary>Handing work to the host and taking its acknowledgement.</summary>
public sealed partial class RaftNode
{
    /// <summary>True when <see cref="GetReady"/> would return work.</summary>
    public bool HasReady()
    {
        if (_role == StateRole.Leader && (_broadcastPending || _reads.HasOpenRound))
        {
            return true;
        }

        return _messages.Count > 0 || _droppedReads.Count > 0 || _log.Unstable.Entries.Count > 0 ||
            _log.Unstable.Snapshot is not null || _log.HasNextCommittedEntries || HasReleasableReads(_log.Applied) ||
            new SoftState(_leader, _role) != _previousSoftState || CurrentHardState != _previousHardState;
    }

    /// <summary>
    /// Takes the pending work. The host must handle it in the order written on <see cref="Ready"/> and then call
    /// <see cref="Advance"/> before asking for the next batch.
    /// </summary>
    public Ready GetReady()
    {
        Invariant.Check(_outstanding is null, "Advance the previous Ready before taking another");
        Flush();
        var soft = new SoftState(_leader, _role);
        var hard = CurrentHardState;
        var snapshot = _log.Unstable.Snapshot;
        var committed = _log.HasNextCommittedEntries ? _log.NextCommittedEntries(_options.MaxCommittedBytesPerReady) : [];
        var appliedAfter = _log.Applied;
        if (snapshot is not null)
        {
            appliedAfter = LogIndex.Max(appliedAfter, snapshot.Metadata.Index);
        }

        if (committed.Count > 0)
        {
            appliedAfter = LogIndex.Max(appliedAfter, committed[^1].Index);
        }

        var entries = _log.Unstable.Entries;
        var ready = new Ready
        {
            SoftState = soft != _previousSoftState ? soft : null,
            HardState = hard != _previousHardState ? hard : null,
            Snapshot = snapshot,
            Entries = entries.Count > 0 ? [.. entries] : [],
            Messages = _messages,
            CommittedEntries = committed,
            ReadStates = TakeReleasableReads(appliedAfter),
            DroppedReads = _droppedReads,
            ProposalCutoff = TakeProposalCutoff(),
            MustSync = entries.Count > 0 || snapshot is not null || hard.Term != _previousHardState.Term || hard.Vote != _previousHardState.Vote,
        };
        _messages = [];
        _droppedReads = [];
        _previousSoftState = soft;
        _previousHardState = hard;
        _outstanding = ready;
        return ready;
    }

    /// <summary>
    /// Acknowledges that the host persisted, sent and applied everything in <paramref name="ready"/>. A leader
    /// counts its own log as replicated only now, once it is durable.
    /// </summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        Invariant.Check(ReferenceEquals(ready, _outstanding), "Advance must acknowledge the Ready last returned");
        _outstanding = null;
        if (ready.Snapshot is not null)
        {
            _log.StableSnapshotTo(ready.Snapshot.Metadata.Index);
            _log.AppliedTo(ready.Snapshot.Metadata.Index);
        }

        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
            if (_role == StateRole.Leader)
            {
                _tracker.Get(Id)?.MaybeUpdate(_log.StableLastIndex);
                if (MaybeCommit())
                {
                    _broadcastPending = true;
                }
            }
        }

        if (ready.CommittedEntries.Count > 0)
        {
            _log.AppliedTo(ready.CommittedEntries[^1].Index);
            ReduceUncommitted(ready.CommittedEntries);
        }

        if (_campaignAfterApply && _role == StateRole.Follower && Promotable && !HasUnappliedConfChange())
        {
            // Re-checked after apply: the applied change may have removed this node itself.
            _campaignAfterApply = false;
            Campaign(preVote: false, transfer: true);
        }

        Invariant.Check(_log.Applied <= _log.Committed, "applied never passes commit");
    }

    private HardState CurrentHardState => new(_term, _vote, _log.Committed);

    /// <summary>
    /// Reports the committed term once each time it rises. Once is enough, because a proposal accepted later carries
    /// the proposer's current term, which is never below a committed term. Walkthrough of the loss it resolves
    /// (simulator seed 1128268, Crashes5):
    /// 1. Node 4 wins term 5 with votes from 1 and 2 and appends its no-op at 39; nodes 3 and 5 are already in term 6.
    /// 2. A client proposes on 4, accepted as 5/40; 4 hears term 6 and steps down with 39..40 stored only on 4 and 2.
    /// 3. Node 3 wins term 7 with last index 38 and appends its no-op at 39; its appends cut 39..40 from 4 and 2.
    /// 4. 7/39 commits; nobody proposes again, so index 40 is never committed and 5/40 would wait for ever.
    /// Here, commit reaching 7/39 rules out 5/40 (the entry finally committed at 40 has a term of at least 7).
    /// <see cref="HasReady"/> needs no extra test: the committed term rises only with the commit index, which
    /// changes the HardState.
    /// </summary>
    private ProposalCutoff? TakeProposalCutoff()
    {
        // Unreadable only if the host compacted past commit (it may not); retried on the next Ready if so.
        if (!_log.TryTerm(_log.Committed, out var term) || term <= _reportedCommittedTerm)
        {
            return null;
        }

        Invariant.Check(term <= _term, "a committed entry's term never exceeds the current term");
        _reportedCommittedTerm = term;
        return new ProposalCutoff(_log.Committed, term);
    }

    /// <summary>Broadcasts appends and read rounds deferred so that a batch of inputs shares one message each.</summary>
    private void Flush()
    {
        if (_role != StateRole.Leader)
        {
            return;
        }

        if (_broadcastPending)
        {
            _broadcastPending = false;
            BroadcastAppend();
        }

        if (_reads.HasOpenRound)
        {
            BroadcastHeartbeat(_reads.SendOpenRound());
            ReleaseConfirmedReads();
        }
    }

    private bool HasReleasableReads(LogIndex applied)
    {
        foreach (var read in _readStates)
        {
            if (read.Index <= applied)
            {
                return true;
            }
        }

        return false;
    }

    private List<ReadState> TakeReleasableReads(LogIndex applied)
    {
        if (_readStates.Count == 0)
        {
            return [];
        }

        var released = new List<ReadState>();
        var waiting = new List<ReadState>();
        foreach (var read in _readStates)
        {
            (read.Index <= applied ? released : waiting).Add(read);
        }

        _readStates = waiting;
        return released;
    }

    private void ReduceUncommitted(IReadOnlyList<Entry> committed)
    {
        if (_role != StateRole.Leader)
        {
            return;
        }

        foreach (var entry in committed)
        {
            // Only this leader's own proposals were counted (not its no-op, not earlier terms' entries).
            if (entry.Term == _term && entry.Index > _termStartIndex)
            {
                _uncommittedBytes -= entry.SizeBytes;
            }
        }

        _uncommittedBytes = Math.Max(0, _uncommittedBytes);
    }
}
