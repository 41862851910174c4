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
        for (var start = 0; start < _batch.Count;)
        {
            var end = start + 1;
            long bytes = _batch[start].Data.Length;
            while (end < _batch.Count && bytes + _batch[end].Data.Length <= _options.MaxProposalSliceBytes)
            {
                bytes += _batch[end++].Data.Length;
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
            _proposals[result.Index] = new PendingProposal(result.Term, waiter, started);
            return;
        }

        _observer.OnProposalFailed();
        waiter.Fail(RequestFailure.For(result.Reason, result.LeaderHint));
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
