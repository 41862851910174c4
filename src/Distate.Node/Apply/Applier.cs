using Distate.Node.Envelope;
using Distate.Node.Requests;
using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Node.Apply;

/// <summary>
/// The apply task's work, shared by the server (on its own task) and the simulator (at the steps it chooses): the only
/// writer of the state machine. For each batch, in the order the driver made them: install the snapshot, apply each
/// entry and complete the proposal waiting on it with the result, then release the reads the batch carries. Every
/// <see cref="NodeDriverOptions.SnapshotEveryEntries"/> applied entries it captures the state machine (between two
/// batches, so the capture matches <see cref="AppliedIndex"/> exactly) and hands the capture out to be written.
/// Threads: one caller at a time; <see cref="AppliedIndex"/> may be read from any thread.
/// </summary>
public sealed class Applier
{
    private readonly IStateMachine _machine;
    private readonly TimeProvider _time;
    private readonly INodeObserver _observer;
    private readonly int _snapshotEveryEntries;
    private readonly ForwardedRequests _forwarded;
    private long _appliedIndex;
    private LogIndex _snapshotRequestedAt;
    /// <summary>True while a capture is being written; set by the apply task, cleared by the snapshot writer.</summary>
    private volatile bool _snapshotInMaking;

    /// <summary>Creates the applier for a state machine restored up to <paramref name="applied"/> with membership <paramref name="confState"/>.</summary>
    /// <param name="machine">The state machine, restored up to <paramref name="applied"/>.</param>
    /// <param name="applied">The index the state machine is restored to.</param>
    /// <param name="confState">The membership as of <paramref name="applied"/>.</param>
    /// <param name="options">The driver's settings.</param>
    /// <param name="time">The clock for latencies.</param>
    /// <param name="observer">Where applies are reported.</param>
    /// <param name="forwarded">The driver's forwarded requests (<see cref="Driver.NodeDriver.Forwarded"/>), completed here.</param>
    public Applier(IStateMachine machine, LogIndex applied, ConfState confState, NodeDriverOptions options, TimeProvider time, INodeObserver observer,
        ForwardedRequests forwarded)
    {
        ArgumentNullException.ThrowIfNull(forwarded);
        _forwarded = forwarded;
        ArgumentNullException.ThrowIfNull(confState);
        AppliedConfState = confState;
        ArgumentNullException.ThrowIfNull(options);
        _machine = machine;
        _time = time;
        _observer = observer;
        _snapshotEveryEntries = options.SnapshotEveryEntries;
        _appliedIndex = (long)applied.Value;
        _snapshotRequestedAt = applied;
    }

    /// <summary>The highest log index applied to the state machine (any thread).</summary>
    public LogIndex AppliedIndex => new((ulong)Interlocked.Read(ref _appliedIndex));

    /// <summary>The membership as of <see cref="AppliedIndex"/>.</summary>
    public ConfState AppliedConfState { get; private set; }

    /// <summary>Applies one batch; returns a capture to write when a snapshot is due, else null. A throw from the state
    /// machine fails the batch's requests (nothing else would answer them) and propagates: the node must stop.</summary>
    public SnapshotCapture? Apply(ApplyBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            ApplyNow(batch);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            batch.Fail(new RequestFailure(DroppedReason.NoLeader, NodeId.None, $"this member failed and is stopping: the apply task failed: {ex.Message}", Indeterminate: true));
            throw;
        }

        return MaybeCapture();
    }

    /// <summary>Tells the applier the last capture was written (or given up), so the next one may start.</summary>
    public void SnapshotFinished() => _snapshotInMaking = false;

    private void ApplyNow(ApplyBatch batch)
    {
        var started = _time.GetTimestamp();
        if (batch.Snapshot is { } snapshot)
        {
            _machine.Restore(snapshot);
            _snapshotRequestedAt = snapshot.Metadata.Index;
            _observer.OnSnapshotInstalled();
        }

        var proposal = 0;
        foreach (var entry in batch.Entries)
        {
            Invariant.Check(entry.Index > AppliedIndex || batch.Snapshot is not null, "entries apply in log order, once");
            var (result, origin, requestId) = ApplyEntry(entry);
            _observer.OnApplied(entry);
            if (proposal < batch.Proposals.Count && batch.Proposals[proposal].Index == entry.Index)
            {
                var pending = batch.Proposals[proposal++].Proposal;
                _observer.OnProposalCommitted(_time.GetElapsedTime(pending.StartedTimestamp));
                pending.Waiter.Succeed(entry.Index, result);
            }
            else if (_forwarded.TryTake(origin, requestId, out var forwarded))
            {
                _observer.OnProposalCommitted(_time.GetElapsedTime(forwarded.StartedTimestamp));
                forwarded.Waiter.Succeed(entry.Index, result);
            }
        }

        Invariant.Check(proposal == batch.Proposals.Count, "every proposal handed with a batch matches one of its entries");
        _observer.OnBatchApplied(_time.GetElapsedTime(started));
        AppliedConfState = batch.ConfStateAfter;
        if (batch.LastIndex > AppliedIndex)
        {
            Interlocked.Exchange(ref _appliedIndex, (long)batch.LastIndex.Value);
        }

        foreach (var requestId in batch.ForwardedRuledOut ?? [])
        {
            if (_forwarded.TryFail(requestId, new RequestFailure(DroppedReason.LeadershipLost, NodeId.None,
                "leadership changed before the forwarded request was committed; it was not applied")))
            {
                _observer.OnProposalFailed();
            }
        }

        // Every entry up to each read's index is applied now: this batch or an earlier one carried it.
        foreach (var (read, index) in batch.Reads)
        {
            Invariant.Check(index <= AppliedIndex, "a read is released only once applied ≥ its read index");
            _observer.OnReadReleased(_time.GetElapsedTime(read.StartedTimestamp));
            read.Waiter.Succeed(index, null);
        }

        batch.AppliedWaiter?.Succeed(AppliedIndex, null);
    }

    /// <summary>Applies one entry; returns the state machine's result and, for a normal entry, who proposed it.</summary>
    private (object? Result, NodeId Origin, ulong RequestId) ApplyEntry(Entry entry)
    {
        if (entry.Type == EntryType.ConfChange)
        {
            _machine.ApplyConfChange(entry.Index, ConfChange.Decode(entry.Data));
            return (null, NodeId.None, 0);
        }

        if (entry.Data.Length == 0)
        {
            // A new leader's first entry is empty: nothing to apply.
            return (null, NodeId.None, 0);
        }

        var envelope = EntryEnvelope.Decode(entry.Data);
        return (_machine.Apply(entry.Index, envelope), envelope.Origin, envelope.RequestId);
    }

    private SnapshotCapture? MaybeCapture()
    {
        var applied = AppliedIndex;
        if (_snapshotEveryEntries <= 0 || _snapshotInMaking || applied <= _snapshotRequestedAt
            || applied - _snapshotRequestedAt < (ulong)_snapshotEveryEntries)
        {
            return null;
        }

        _snapshotInMaking = true;
        _snapshotRequestedAt = applied;
        return new SnapshotCapture(applied, AppliedConfState, _machine.Capture(applied));
    }
}
