using System.Diagnostics;
using System.Threading.Channels;
using Distate.Raft;
using Distate.Server.Members;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>
/// The apply task: the one writer of the store and the member directory. The loop hands it each Ready's committed
/// entries through a bounded channel and goes on persisting and replicating while it applies; reads and proposals
/// complete here, once their entries are applied.
/// </summary>
public sealed partial class RaftHost
{
    /// <summary>Batches (one per Ready) that may wait for the apply task before the loop itself waits.</summary>
    private const int ApplyCapacity = 256;

    private readonly Channel<ApplyBatch> _applies = Channel.CreateBounded<ApplyBatch>(
        new BoundedChannelOptions(ApplyCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private Task _applier = Task.CompletedTask;
    private long _appliedIndex;
    private LogIndex _snapshotRequestedAt;
    private ConfState _appliedConfState = ConfState.Empty;
    private int _lastSnapshotBytes;
    private Task _snapshotWriter = Task.CompletedTask;

    /// <summary>The highest log index applied to the store and member directory (safe to read from any thread).</summary>
    public LogIndex AppliedIndex => new((ulong)Interlocked.Read(ref _appliedIndex));

    private async Task RunApplierAsync()
    {
        var reader = _applies.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var batch))
                {
                    ApplyOrFail(batch);
                    MaybeStartSnapshot();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The state machine cannot go on (a bug or a corrupt entry): stop the loop too rather than serve stale state.
            // RunCritical turns the rethrow into a fatal failure of the node.
            _applies.Writer.TryComplete(ex);
            throw;
        }
    }

    /// <summary>Applies a batch; if applying throws, the requests waiting on this batch fail at once with the cause
    /// (the batch was already taken from the channel, so nothing else would answer them) before the failure stops the node.</summary>
    private void ApplyOrFail(ApplyBatch batch)
    {
        try
        {
            ApplyBatchNow(batch);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FailBatch(batch, new NodeFailedException("apply task", ex));
            throw;
        }
    }

    private void ApplyBatchNow(ApplyBatch batch)
    {
        var started = Stopwatch.GetTimestamp();
        if (batch.Snapshot is { } snapshot)
        {
            RestoreFromSnapshot(snapshot);
            _snapshotRequestedAt = snapshot.Metadata.Index;
            Metrics.SnapshotsInstalled.Increment();
        }

        var proposal = 0;
        foreach (var entry in batch.Entries)
        {
            var result = ApplyEntry(entry);
            if (proposal < batch.Proposals.Count && batch.Proposals[proposal].Index == entry.Index)
            {
                var pending = batch.Proposals[proposal++].Proposal;
                Metrics.ProposalsCommitted.Increment();
                Metrics.CommitSeconds.Observe(Stopwatch.GetElapsedTime(pending.StartedTicks).TotalSeconds);
                pending.Completion.TrySetResult(result);
            }
        }

        Metrics.ApplySeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        Invariant.Check(proposal == batch.Proposals.Count, "every proposal handed with a batch matches one of its entries");
        _appliedConfState = batch.ConfStateAfter;
        if (batch.LastIndex > AppliedIndex)
        {
            Interlocked.Exchange(ref _appliedIndex, (long)batch.LastIndex.Value);
        }

        // Every entry up to each read's index is applied now: this batch or an earlier one carried it.
        foreach (var read in batch.Reads)
        {
            Metrics.ReadIndexSeconds.Observe(Stopwatch.GetElapsedTime(read.StartedTicks).TotalSeconds);
            read.Completion.TrySetResult();
        }

        batch.Applied?.TrySetResult();
    }

    private StoreResult? ApplyEntry(Entry entry)
    {
        _seams.BeforeApply?.Invoke(entry);
        if (entry.Type == EntryType.ConfChange)
        {
            // Raft's own membership was updated by the loop when it handed this entry over; here only the directory.
            Members.Apply(ConfChange.Decode(entry.Data));
            return null;
        }

        if (MemberCodec.IsPublish(entry.Data.Span))
        {
            Members.Apply(MemberCodec.DecodePublish(entry.Data.Span));
            return null;
        }

        if (entry.Data.Length == 0)
        {
            return null;
        }

        var result = Store.Apply(entry.Data.Span);
        WatchSpace(result);
        return result;
    }

    /// <summary>
    /// Every <c>--snapshot-count</c> applied entries, captures the state machine here (a quick copy of references,
    /// between two batches, so it matches <see cref="AppliedIndex"/> exactly) and leaves encoding and writing the file
    /// to a background task, so neither apply nor the loop waits for it. At most one snapshot is in the making.
    /// </summary>
    private void MaybeStartSnapshot()
    {
        var applied = AppliedIndex;
        if (applied - _snapshotRequestedAt < (ulong)_options.SnapshotCount || !_snapshotWriter.IsCompleted)
        {
            return;
        }

        var envelope = SnapshotEnvelope.Capture(Members, Store);
        var confState = _appliedConfState;
        _snapshotRequestedAt = applied;
        // A snapshot that cannot be written for a reason other than a full disk stops the node, as a failed log write does.
        _snapshotWriter = RunCritical("snapshot writer", () => WriteSnapshotAsync(applied, confState, envelope), mayEnd: true);
    }

    /// <summary>Encodes and writes a captured snapshot file, then hands it to the loop to record.</summary>
    private async Task WriteSnapshotAsync(LogIndex index, ConfState confState, SnapshotEnvelope envelope)
    {
        // Sized from the last snapshot so the buffer rarely regrows; storage keeps the buffer itself (no copy).
        using var stream = new MemoryStream(_lastSnapshotBytes + (_lastSnapshotBytes / 8) + 4096);
        envelope.WriteTo(stream);
        _lastSnapshotBytes = (int)stream.Length;
        if (_storage.StageSnapshot(index, confState, new ReadOnlyMemory<byte>(stream.GetBuffer(), 0, (int)stream.Length)) is not { } staged)
        {
            return;
        }

        try
        {
            await _inputs.Writer.WriteAsync(new NodeInput.SnapshotTaken(staged.Staged, staged.Generation), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException && _stop.IsCancellationRequested)
        {
            // Stopping: the file stays unrecorded and recovery ignores it.
        }
    }

    /// <summary>Records a staged snapshot and compacts the log behind it, unless a newer snapshot is already held.</summary>
    private async Task SaveSnapshotAsync(NodeInput.SnapshotTaken taken)
    {
        if (await _storage.CommitSnapshotAsync(taken.Staged, taken.Generation, _stop.Token).ConfigureAwait(false) is null)
        {
            return;
        }

        // Keep some entries behind the snapshot so slightly lagging followers catch up without a snapshot.
        var index = taken.Staged.Metadata.Index;
        var keep = (ulong)(_options.SnapshotCount / 2);
        if (index.Value > keep)
        {
            await _storage.CompactAsync(index - keep, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Fails the proposals and reads of batches the apply task never reached (shutting down).</summary>
    private void FailUnapplied(Exception failure)
    {
        while (_applies.Reader.TryRead(out var batch))
        {
            FailBatch(batch, failure);
        }
    }

    private static void FailBatch(ApplyBatch batch, Exception failure)
    {
        foreach (var (_, proposal) in batch.Proposals)
        {
            proposal.Completion.TrySetException(failure);
        }

        foreach (var read in batch.Reads)
        {
            read.Completion.TrySetException(failure);
        }

        batch.Applied?.TrySetException(failure);
    }
}
