using System.Diagnostics;
using Distate.Raft;
using Distate.Server.Members;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>The loop: drain a batch of inputs into Raft, then handle every Ready per the contract.</summary>
public sealed partial class RaftHost
{
    private readonly List<NodeInput.Proposal> _batch = [];
    private NodeId _lastLeader = NodeId.None;
    private NodeInput.SnapshotTaken? _snapshotToSave;
    private long _ticks;
    private long _lastHandOffTick = long.MinValue / 2;

    private async Task RunLoopAsync()
    {
        var reader = _inputs.Reader;
        await StartAsLoneVoterAsync().ConfigureAwait(false);
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            for (var taken = 0; taken < MaxInputsPerBatch && reader.TryRead(out var input); taken++)
            {
                Dispatch(input);
            }

            ProposeBatch();
            while (_raft.HasReady())
            {
                await HandleReadyAsync(_raft.GetReady()).ConfigureAwait(false);
            }

            if (_snapshotToSave is { } snapshot)
            {
                _snapshotToSave = null;
                await SaveSnapshotAsync(snapshot).ConfigureAwait(false);
            }

            MaybeHandOffLeadership();
            _status = _raft.Status();
        }
    }

    /// <summary>
    /// A leader whose disk is full cannot take writes; if another voter exists, hand leadership to the most caught-up
    /// one so the cluster keeps writing (tried again every election timeout while this member stays read-only).
    /// </summary>
    private void MaybeHandOffLeadership()
    {
        if (ReadOnlyReason is null || _raft.Role != StateRole.Leader || _ticks - _lastHandOffTick < _options.ElectionTimeoutTicks)
        {
            return;
        }

        _lastHandOffTick = _ticks;
        var best = NodeId.None;
        var bestMatch = LogIndex.Zero;
        foreach (var (id, progress) in _raft.Status().Progress)
        {
            if (id != Id && !progress.IsLearner && progress.Match >= bestMatch)
            {
                (best, bestMatch) = (id, progress.Match);
            }
        }

        if (best.IsSome)
        {
            NodeLog.HandOff(_logger, best.Value);
            _raft.TransferLeadership(best);
        }
    }

    /// <summary>
    /// Applies what is already committed (the founding membership) and, if this member is the only voter, takes
    /// leadership at once instead of waiting out an election timeout.
    /// </summary>
    private async Task StartAsLoneVoterAsync()
    {
        while (_raft.HasReady())
        {
            await HandleReadyAsync(_raft.GetReady()).ConfigureAwait(false);
        }

        if (_confState.Voters is [var only] && only == Id)
        {
            _raft.Campaign();
            while (_raft.HasReady())
            {
                await HandleReadyAsync(_raft.GetReady()).ConfigureAwait(false);
            }
        }

        // Wait for the apply task to catch up with what is committed, so status and the store are meaningful.
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _applies.Writer.WriteAsync(new ApplyBatch { ConfStateAfter = _confState, Applied = caughtUp }, _stop.Token).ConfigureAwait(false);
        await caughtUp.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
        _status = _raft.Status();
        _started.TrySetResult();
    }

    private void Dispatch(NodeInput input)
    {
        switch (input)
        {
            case NodeInput.Tick:
                Volatile.Write(ref _tickQueued, 0);
                _ticks++;
                _raft.Tick();
                break;
            case NodeInput.Proposal proposal:
                _batch.Add(proposal);
                break;
            case NodeInput.ConfChangeProposal change:
                ProposeConfChange(change);
                break;
            case NodeInput.ReadBarrier read:
                var id = _nextReadId++;
                _reads[id] = new PendingRead(read.Completion, Stopwatch.GetTimestamp());
                _raft.ReadIndex(id);
                break;
            case NodeInput.PeerMessage peer:
                _raft.Step(peer.Message);
                break;
            case NodeInput.Unreachable unreachable:
                _raft.ReportUnreachable(unreachable.Peer);
                break;
            case NodeInput.SnapshotStatus snapshot:
                _raft.ReportSnapshot(snapshot.Peer, snapshot.Succeeded);
                break;
            case NodeInput.SnapshotTaken taken:
                _snapshotToSave = taken;
                break;
        }
    }

    /// <summary>
    /// Proposes everything that arrived in this batch, as contiguous appends of at most MaxAppendBytes each, so Raft's
    /// uncommitted budget sees (and can refuse) each slice rather than admitting any amount in one call.
    /// </summary>
    private void ProposeBatch()
    {
        var started = Stopwatch.GetTimestamp();
        for (var start = 0; start < _batch.Count;)
        {
            var end = start + 1;
            long bytes = _batch[start].Command.Length;
            while (end < _batch.Count && bytes + _batch[end].Command.Length <= Limits.MaxAppendBytes)
            {
                bytes += _batch[end++].Command.Length;
            }

            ProposeSlice(start, end, started);
            start = end;
        }

        _batch.Clear();
    }

    private void ProposeSlice(int start, int end, long started)
    {
        var data = new ReadOnlyMemory<byte>[end - start];
        for (var i = start; i < end; i++)
        {
            data[i - start] = _batch[i].Command;
        }

        var result = _raft.Propose(data);
        for (var i = start; i < end; i++)
        {
            var completion = _batch[i].Completion;
            if (result.Accepted)
            {
                AddProposal(result.Index + (ulong)(i - start), new PendingProposal(result.Term, completion, started));
            }
            else
            {
                Metrics.ProposalsFailed.Increment();
                completion.TrySetException(new ProposalFailedException(result.Reason, result.LeaderHint, Describe(result.Reason)));
            }
        }
    }

    /// <summary>Proposes a membership change after the writes that arrived before it, so order is kept.</summary>
    private void ProposeConfChange(NodeInput.ConfChangeProposal proposal)
    {
        ProposeBatch();
        var result = _raft.ProposeConfChange(proposal.Change);
        if (result.Accepted)
        {
            AddProposal(result.Index, new PendingProposal(result.Term, proposal.Completion, Stopwatch.GetTimestamp()));
        }
        else
        {
            Metrics.ProposalsFailed.Increment();
            proposal.Completion.TrySetException(new ProposalFailedException(result.Reason, result.LeaderHint, Describe(result.Reason)));
        }
    }

    private async Task HandleReadyAsync(Ready ready)
    {
        if (ready.SoftState is { } soft)
        {
            OnSoftStateChanged(soft);
        }

        // A leader may send its appends before its own write is durable (Raft thesis 10.2.1): it counts itself toward
        // commit only at Advance, after persisting. Not when this Ready changes term or vote: a vote must be durable
        // before anyone hears of it, or a restarted member could vote twice in one term.
        var sendFirst = _raft.Role == StateRole.Leader && !ChangesTermOrVote(ready.HardState);
        if (sendFirst)
        {
            SendMessages(ready.Messages);
        }

        // 1. Persist (one durable write for snapshot, entries and hard state).
        await PersistAsync(ready).ConfigureAwait(false);

        // 2. Send.
        if (!sendFirst)
        {
            SendMessages(ready.Messages);
        }

        // 3. Apply: hand the committed entries (and the reads they release) to the apply task, in log order; then fail
        // the proposals the cutoff rules out (all above the commit index, so none of them is in this batch).
        if (HandOff(ready) is { } batch)
        {
            await _applies.Writer.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
        }

        if (ready.ProposalCutoff is { } cutoff)
        {
            FailRuledOutProposals(cutoff);
        }

        // 4. Advance.
        _raft.Advance(ready);
    }

    private bool ChangesTermOrVote(HardState? hardState) =>
        hardState is { } state && (state.Term != _storage.HardState.Term || state.Vote != _storage.HardState.Vote);

    private async Task PersistAsync(Ready ready)
    {
        if (ready.Snapshot is not null)
        {
            await _storage.ApplySnapshotAsync(ready.Snapshot, _stop.Token).ConfigureAwait(false);
        }

        if (ready.Entries.Count > 0 || ready.HardState is not null)
        {
            var started = Stopwatch.GetTimestamp();
            await _storage.PersistAsync(ready.HardState, ready.Entries, _stop.Token).ConfigureAwait(false);
            Metrics.FsyncSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// Builds the apply task's share of a Ready. Membership changes take effect in Raft here, on the loop and in log
    /// order, before Advance (as the contract asks); the store and member directory are left to the apply task.
    /// Proposals whose index another leader's entry took, and reads Raft dropped, fail here at once.
    /// </summary>
    private ApplyBatch? HandOff(Ready ready)
    {
        if (ready.Snapshot is null && ready.CommittedEntries.Count == 0 && ready.ReadStates.Count == 0)
        {
            FailDroppedReads(ready);
            return null;
        }

        if (ready.Snapshot is not null)
        {
            _confState = ready.Snapshot.Metadata.ConfState;
        }

        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Type == EntryType.ConfChange)
            {
                _confState = _raft.ApplyConfChange(ConfChange.Decode(entry.Data));
            }
        }

        var batch = new ApplyBatch { Snapshot = ready.Snapshot, Entries = ready.CommittedEntries, ConfStateAfter = _confState };
        TakeProposals(ready.CommittedEntries, batch);
        foreach (var read in ready.ReadStates)
        {
            if (_reads.Remove(read.RequestId, out var pending))
            {
                batch.Reads.Add(pending);
            }
        }

        FailDroppedReads(ready);
        return batch;
    }

    private void TakeProposals(IReadOnlyList<Entry> committed, ApplyBatch batch)
    {
        foreach (var entry in committed)
        {
            if (_proposals.Remove(entry.Index, out var pending))
            {
                TakeProposal(entry, pending, batch);
            }

            for (var i = _displacedProposals.Count - 1; i >= 0; i--)
            {
                if (_displacedProposals[i].Index == entry.Index)
                {
                    TakeProposal(entry, _displacedProposals[i].Proposal, batch);
                    _displacedProposals.RemoveAt(i);
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

    /// <summary>
    /// Keeps a proposal until its index commits or a cutoff rules it out. An index may already be taken by an older
    /// proposal of this member, which must not be forgotten:
    /// 1. This member leads term t and accepts a proposal at index i; it loses leadership before i reaches a majority.
    /// 2. A new leader's shorter log cuts this member's log back below i.
    /// 3. This member leads again, in term t2, before any commit of a newer term reached it (so no cutoff yet), and
    ///    accepts a new proposal at i.
    /// The old one may still commit (another member may hold it and win an election), so only the entry committed at
    /// i, or a cutoff, decides it: it moves to the displaced list instead of being overwritten and left waiting.
    /// </summary>
    private void AddProposal(LogIndex index, PendingProposal proposal)
    {
        if (_proposals.Remove(index, out var earlier))
        {
            _displacedProposals.Add((index, earlier));
        }

        _proposals[index] = proposal;
    }

    /// <summary>Fails the proposals whose index can only ever hold an entry of a later term (see ProposalCutoff).</summary>
    private void FailRuledOutProposals(ProposalCutoff cutoff)
    {
        // Runs once per rise of the committed term (about once per leader change), so a scan is cheap enough.
        List<LogIndex>? ruledOut = null;
        foreach (var (index, pending) in _proposals)
        {
            if (cutoff.RulesOut(index, pending.Term))
            {
                (ruledOut ??= []).Add(index);
            }
        }

        foreach (var index in ruledOut ?? [])
        {
            _proposals.Remove(index, out var pending);
            FailLost(pending);
        }

        for (var i = _displacedProposals.Count - 1; i >= 0; i--)
        {
            var (index, pending) = _displacedProposals[i];
            if (cutoff.RulesOut(index, pending.Term))
            {
                _displacedProposals.RemoveAt(i);
                FailLost(pending);
            }
        }
    }

    private void FailLost(PendingProposal pending)
    {
        Metrics.ProposalsFailed.Increment();
        pending.Completion.TrySetException(new ProposalFailedException(
            DroppedReason.LeadershipLost, _raft.Leader, "leadership changed before the request was committed; it was not applied"));
    }

    private void FailDroppedReads(Ready ready)
    {
        foreach (var dropped in ready.DroppedReads)
        {
            if (_reads.Remove(dropped.RequestId, out var pending))
            {
                pending.Completion.TrySetException(new ProposalFailedException(dropped.Reason, dropped.LeaderHint, Describe(dropped.Reason)));
            }
        }
    }

    private void OnSoftStateChanged(SoftState soft)
    {
        if (soft.Leader != _lastLeader)
        {
            _lastLeader = soft.Leader;
            Metrics.LeaderChanges.Increment();
        }

        Leases.SetLeading(soft.Role == StateRole.Leader);
    }

    private void SendMessages(IReadOnlyList<Message> messages)
    {
        foreach (var message in messages)
        {
            if (_isolatedFrom.Contains(message.To))
            {
                continue;
            }

            // Never waits: a full queue or unknown peer drops the message (Raft retries) and reports the peer.
            if (_transport is null || !_transport.TrySend(message))
            {
                _inputs.Writer.TryWrite(new NodeInput.Unreachable(message.To));
            }
        }
    }

    private void FailAll(Exception failure)
    {
        foreach (var (_, pending) in _proposals)
        {
            pending.Completion.TrySetException(failure);
        }

        foreach (var (_, pending) in _displacedProposals)
        {
            pending.Completion.TrySetException(failure);
        }

        _displacedProposals.Clear();

        foreach (var (_, pending) in _reads)
        {
            pending.Completion.TrySetException(failure);
        }

        _proposals.Clear();
        _reads.Clear();
    }

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
        _ => reason.ToString(),
    };
}
