using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node.Driver;

/// <summary>Proposals: batched until the next Ready is taken, then proposed in slices so Raft's budget sees each.</summary>
public sealed partial class NodeDriver
{
    private readonly List<(byte[] Data, IRequestWaiter Waiter)> _batch = [];

    /// <summary>Entry data to replicate (an encoded <see cref="Envelope.EntryEnvelope"/>); <paramref name="waiter"/>
    /// succeeds with the state machine's result once the entry is applied here, or fails with the reason.</summary>
    public void Propose(byte[] data, IRequestWaiter waiter)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(waiter);
        _batch.Add((data, waiter));
    }

    /// <summary>A membership change, proposed after the writes that arrived before it so order is kept.</summary>
    public void ProposeConfChange(ConfChange change, IRequestWaiter waiter)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(waiter);
        ProposeBatch();
        Track(_raft.ProposeConfChange(change), waiter, _time.GetTimestamp());
    }

    /// <summary>
    /// Proposes everything batched, as contiguous appends of at most <see cref="NodeDriverOptions.MaxProposalSliceBytes"/>
    /// each (one larger entry goes alone), so Raft's uncommitted budget can refuse a slice rather than admit any amount.
    /// </summary>
    private void ProposeBatch()
    {
        var started = _time.GetTimestamp();
        // A follower that knows the leader forwards the batch to it (NodeDriver.Forwarding.cs), sliced the same way.
        var forward = _batch.Count > 0 && ShouldForward;
        for (var start = 0; start < _batch.Count;)
        {
            var end = start + 1;
            long bytes = _batch[start].Data.Length;
            while (end < _batch.Count && bytes + _batch[end].Data.Length <= _options.MaxProposalSliceBytes)
            {
                bytes += _batch[end++].Data.Length;
            }

            if (forward)
            {
                ForwardSlice(start, end, started);
            }
            else
            {
                ProposeSlice(start, end, started);
            }

            start = end;
        }

        _batch.Clear();
    }

    private void ProposeSlice(int start, int end, long started)
    {
        var data = new ReadOnlyMemory<byte>[end - start];
        for (var i = start; i < end; i++)
        {
            data[i - start] = _batch[i].Data;
        }

        var result = _raft.Propose(data);
        for (var i = start; i < end; i++)
        {
            var offset = (ulong)(i - start);
            Track(result.Accepted ? result with { Index = result.Index + offset } : result, _batch[i].Waiter, started);
        }
    }

    /// <summary>Remembers an accepted proposal by index, or fails a refused one at once.</summary>
    private void Track(ProposeResult result, IRequestWaiter waiter, long started)
    {
        if (result.Accepted)
        {
            Remember(result.Index, new PendingProposal(result.Term, waiter, started));
            waiter.Accepted(result.Index, result.Term);
            return;
        }

        _observer.OnProposalFailed();
        waiter.Fail(RequestFailure.For(result.Reason, result.LeaderHint));
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
    private void Remember(LogIndex index, PendingProposal proposal)
    {
        if (_proposals.Remove(index, out var earlier))
        {
            _displaced.Add((index, earlier));
        }

        _proposals[index] = proposal;
    }

    /// <summary>Fails the proposals whose index can only ever hold an entry of a later term (see <see cref="ProposalCutoff"/>).</summary>
    private void FailRuledOut(ProposalCutoff cutoff)
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
            FailLost(pending!);
        }

        for (var i = _displaced.Count - 1; i >= 0; i--)
        {
            if (cutoff.RulesOut(_displaced[i].Index, _displaced[i].Proposal.Term))
            {
                FailLost(_displaced[i].Proposal);
                _displaced.RemoveAt(i);
            }
        }

        FailForwardedWhere(cutoff.RulesOut, LostFailure());
    }

    /// <summary>Fails a proposal whose index another leader's entry took (or can only take).</summary>
    private void FailLost(PendingProposal pending)
    {
        _observer.OnProposalFailed();
        pending.Waiter.Fail(new RequestFailure(DroppedReason.LeadershipLost, _raft.Leader,
            "leadership changed before the request was committed; it was not applied"));
    }

    /// <summary>
    /// Fails, as indeterminate, the proposals at or below an installed snapshot's index: the snapshot replaced those
    /// entries, so whether this member's entry was among them is unknown here.
    /// </summary>
    private void FailCoveredBy(LogIndex snapshotIndex)
    {
        var failure = new RequestFailure(DroppedReason.LeadershipLost, _raft.Leader,
            "a snapshot from the leader replaced the log before this request's entry was applied here; it may or may not have been applied",
            Indeterminate: true);
        foreach (var index in _proposals.Keys.Where(index => index <= snapshotIndex).ToList())
        {
            _proposals.Remove(index, out var pending);
            _observer.OnProposalFailed();
            pending!.Waiter.Fail(failure);
        }

        for (var i = _displaced.Count - 1; i >= 0; i--)
        {
            if (_displaced[i].Index <= snapshotIndex)
            {
                _observer.OnProposalFailed();
                _displaced[i].Proposal.Waiter.Fail(failure);
                _displaced.RemoveAt(i);
            }
        }
    }

    /// <summary>Fails the proposals batched but not yet proposed.</summary>
    private void FailBatch(RequestFailure failure)
    {
        foreach (var (_, waiter) in _batch)
        {
            waiter.Fail(failure);
        }

        _batch.Clear();
    }
}
