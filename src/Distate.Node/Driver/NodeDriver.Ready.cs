using Distate.Node.Apply;
using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node.Driver;

/// <summary>The Ready cycle, the contract of src/Distate.Raft/README.md in four steps the runtime calls in order.</summary>
public sealed partial class NodeDriver
{
    /// <summary>
    /// Step 0: proposes what was batched and takes the next Ready, or returns null when Raft has nothing to do. A leader
    /// may send its appends before its own write is durable (Raft thesis §10.2.1: it counts itself toward commit only at
    /// Advance, after persisting) — but not when the Ready changes term or vote: a vote must be durable before anyone
    /// hears of it, or a restarted member could vote twice in one term. Those early messages go out here.
    /// </summary>
    public ReadyWork? TakeReady()
    {
        Invariant.Check(_outstanding is null, "walk a Ready through every step before taking the next");
        ProposeBatch();
        MaybeHandOffLeadership();
        if (!_raft.HasReady())
        {
            return null;
        }

        var ready = _raft.GetReady();
        _observer.OnReady(ready);
        if (ready.SoftState is { } soft)
        {
            _observer.OnSoftState(soft);
        }

        var sendFirst = _raft.Role == StateRole.Leader && !ChangesTermOrVote(ready.HardState);
        if (sendFirst)
        {
            Send(ready.Messages);
        }

        _outstanding = new ReadyWork(ready, sendFirst);
        return _outstanding;
    }

    /// <summary>Step 1: makes the snapshot, entries and hard state durable (one write for entries and hard state).</summary>
    public async ValueTask PersistAsync(ReadyWork work, CancellationToken cancellationToken)
    {
        Expect(work, ReadyStage.Taken);
        var ready = work.Ready;
        var started = _time.GetTimestamp();
        if (ready.Snapshot is not null)
        {
            await _log.ApplySnapshotAsync(ready.Snapshot, cancellationToken).ConfigureAwait(false);
        }

        if (ready.Entries.Count > 0 || ready.HardState is not null)
        {
            await _log.PersistAsync(ready.HardState, ready.Entries, cancellationToken).ConfigureAwait(false);
        }

        if (work.NeedsPersist)
        {
            _observer.OnPersisted(_time.GetElapsedTime(started));
        }

        work.Stage = ReadyStage.Persisted;
    }

    /// <summary>
    /// Step 2: sends the messages (unless sent first) and builds the apply task's share: membership changes take effect in
    /// Raft here, on the driver thread and in log order, before Advance; the state machine is left to the apply task.
    /// Proposals whose index another leader's entry took, and reads Raft dropped, fail here at once. Returns null when
    /// there is nothing to apply; otherwise the runtime must queue the batch for the apply task before Advance.
    /// </summary>
    public ApplyBatch? HandOff(ReadyWork work)
    {
        Expect(work, ReadyStage.Persisted);
        var ready = work.Ready;
        if (!work.SentFirst)
        {
            Send(ready.Messages);
        }

        work.Stage = ReadyStage.HandedOff;
        FailDroppedReads(ready);
        var unansweredRuledOut = ready.ProposalCutoff is { } decided ? TakeUnansweredRuledOut(decided) : null;
        if (ready.Snapshot is null && ready.CommittedEntries.Count == 0 && ready.ReadStates.Count == 0)
        {
            if (ready.ProposalCutoff is { } cutoffOnly)
            {
                FailRuledOut(cutoffOnly);
            }

            // The apply task decides them once it has applied every batch before this one.
            return unansweredRuledOut is null ? null : new ApplyBatch { ConfStateAfter = _confState, ForwardedRuledOut = unansweredRuledOut };
        }

        if (ready.Snapshot is not null)
        {
            _confState = ready.Snapshot.Metadata.ConfState;
            FailCoveredBy(ready.Snapshot.Metadata.Index);
            var covered = ready.Snapshot.Metadata.Index;
            FailForwardedWhere((index, _) => index <= covered, CoveredFailure());
            ExpireForwardBatches(all: true);
            _handedOffIndex = LogIndex.Max(_handedOffIndex, covered);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Type == EntryType.ConfChange)
            {
                var change = ConfChange.Decode(entry.Data);
                _confState = _raft.ApplyConfChange(change);
                _observer.OnConfChange(entry.Index, change, _confState);
            }
        }

        var batch = new ApplyBatch
        {
            Snapshot = ready.Snapshot, Entries = ready.CommittedEntries, ConfStateAfter = _confState, ForwardedRuledOut = unansweredRuledOut,
        };
        if (ready.CommittedEntries.Count > 0)
        {
            _handedOffIndex = ready.CommittedEntries[^1].Index;
        }

        TakeProposals(ready.CommittedEntries, batch);
        foreach (var read in ready.ReadStates)
        {
            if (_reads.Remove(read.RequestId, out var pending))
            {
                batch.Reads.Add((pending, read.Index));
            }
        }

        // After taking this batch's proposals: every proposal the cutoff rules out lies above the commit index.
        if (ready.ProposalCutoff is { } cutoff)
        {
            FailRuledOut(cutoff);
        }

        return batch;
    }

    /// <summary>Step 3: tells Raft the Ready was persisted, sent and handed over.</summary>
    public void Advance(ReadyWork work)
    {
        Expect(work, ReadyStage.HandedOff);
        _raft.Advance(work.Ready);
        work.Stage = ReadyStage.Advanced;
        _outstanding = null;
    }

    /// <summary>Forgets the Ready in hand without advancing (the node is crashing; the simulator's crash model).</summary>
    public void Abandon() => _outstanding = null;

    /// <summary>An empty batch that tells <paramref name="waiter"/> when every batch before it was applied.</summary>
    public ApplyBatch Marker(IRequestWaiter waiter) => new() { ConfStateAfter = _confState, AppliedWaiter = waiter };

    private void Expect(ReadyWork work, ReadyStage stage)
    {
        ArgumentNullException.ThrowIfNull(work);
        Invariant.Check(ReferenceEquals(work, _outstanding), "only the Ready in hand moves on");
        Invariant.Check(work.Stage == stage, $"a Ready goes persist → hand off → advance, in order (expected {stage}, found {work.Stage})");
    }

    private bool ChangesTermOrVote(HardState? hardState) =>
        hardState is { } state && (state.Term != _log.HardState.Term || state.Vote != _log.HardState.Vote);

    /// <summary>Sends messages; never waits: a message the outbox drops is reported so Raft backs off that peer.</summary>
    private void Send(IReadOnlyList<Message> messages)
    {
        foreach (var message in messages)
        {
            if (!_outbox.TrySend(message))
            {
                _raft.ReportUnreachable(message.To);
            }
        }
    }

    /// <summary>Moves the proposals these committed entries decide into the batch (term matches) or fails them.</summary>
    private void TakeProposals(IReadOnlyList<Entry> committed, ApplyBatch batch)
    {
        foreach (var entry in committed)
        {
            CheckForwarded(entry);
            if (_proposals.Remove(entry.Index, out var pending))
            {
                TakeProposal(entry, pending, batch);
            }

            for (var i = _displaced.Count - 1; i >= 0; i--)
            {
                if (_displaced[i].Index == entry.Index)
                {
                    TakeProposal(entry, _displaced[i].Proposal, batch);
                    _displaced.RemoveAt(i);
                }
            }
        }
    }

    private void TakeProposal(Entry entry, PendingProposal pending, ApplyBatch batch)
    {
        if (pending.Term == entry.Term)
        {
            batch.Proposals.Add((entry.Index, pending));
            return;
        }

        // Another leader's entry took this index: ours was never committed.
        FailLost(pending);
    }

    private void FailDroppedReads(Ready ready)
    {
        foreach (var dropped in ready.DroppedReads)
        {
            if (_reads.Remove(dropped.RequestId, out var pending))
            {
                pending.Waiter.Fail(RequestFailure.For(dropped.Reason, dropped.LeaderHint));
            }
        }
    }
}
