using Distate.Raft;
using Distate.Storage.Io;
using Distate.Storage.Log;
using FASTER.core;

namespace Distate.Storage;

/// <summary>Group commit: one committer flushes everything enqueued so far; writes that arrive meanwhile share the next flush.</summary>
public sealed partial class FasterRaftStorage
{
    private readonly Queue<PendingWrite> _pending = new();
    private readonly Lock _pendingGate = new();
    private StorageFailedException? _failure;

    /// <summary>
    /// Registers a wait for everything enqueued so far and wakes the committer. Called under _gate right after an
    /// enqueue, so pending writes are queued in address order.
    /// </summary>
    private Task RegisterDurableLocked()
    {
        var endAddress = _log.TailAddress;
        var pending = new PendingWrite(endAddress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_pendingGate)
        {
            Invariant.Check(_pending.Count == 0 || _pending.Peek().EndAddress <= endAddress, "pending writes are queued in address order");
            _pending.Enqueue(pending);
        }

        _commitSignal.Writer.TryWrite(true);
        return pending.Durable.Task;
    }

    /// <summary>
    /// The committer loop. Each round commits up to the tail observed at its start; writes enqueued while a commit
    /// is in flight set the signal again and ride the next round, so N concurrent writes cost about two flushes.
    /// </summary>
    private async Task CommitLoopAsync()
    {
        try
        {
            while (await _commitSignal.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _ = _commitSignal.Reader.TryRead(out _);
                var target = _log.TailAddress;
                await _log.CommitAsync().ConfigureAwait(false);
                if (_log.CommittedUntilAddress < target)
                {
                    await _log.WaitForCommitAsync(target).ConfigureAwait(false);
                }

                Invariant.Check(_log.CommittedUntilAddress >= target, "a finished commit covers the tail it started from");
                CompleteDurable(_log.CommittedUntilAddress);
            }
        }
        catch (Exception ex) when (ex is not InvariantViolationException)
        {
            Fail(ex);
        }
    }

    private void CompleteDurable(long committedUntil)
    {
        var done = new List<PendingWrite>();
        lock (_pendingGate)
        {
            while (_pending.Count > 0 && _pending.Peek().EndAddress <= committedUntil)
            {
                done.Add(_pending.Dequeue());
            }
        }

        foreach (var pending in done)
        {
            pending.Durable.TrySetResult();
        }
    }

    /// <summary>Puts the storage in the failed state: no later write is accepted and every pending write faults.</summary>
    private void Fail(Exception cause)
    {
        var failure = cause as StorageFailedException ?? Describe(cause);
        Interlocked.CompareExchange(ref _failure, failure, null);
        FailPending(_failure!);
    }

    /// <summary>The typed failure for <paramref name="cause"/>, telling a full disk apart from other I/O errors.</summary>
    private StorageFailedException Describe(Exception cause)
    {
        if (DiskSpace.IsDiskFull(_options.Directory, cause, DiskFullThresholdBytes, out var available))
        {
            return new StorageFailedException(
                $"the disk holding '{_options.Directory}' is full ({available} bytes free): a write could not be persisted " +
                $"({cause.Message}). Acknowledged data is intact; free space on that disk.", cause) { IsDiskFull = true };
        }

        return new StorageFailedException(
            $"storage in '{_options.Directory}' could not persist a write: {cause.Message}. The node must stop; " +
            "free disk space, fix permissions or replace the disk, then restart it (acknowledged data is intact).", cause);
    }

    /// <summary>Free bytes below which a failed write counts as "disk full" whatever the error said: two log pages.</summary>
    private long DiskFullThresholdBytes => 2L << _options.PageSizeBits;

    private void FailPending(Exception error)
    {
        List<PendingWrite> failed;
        lock (_pendingGate)
        {
            failed = [.. _pending];
            _pending.Clear();
        }

        foreach (var pending in failed)
        {
            pending.Durable.TrySetException(error);
        }
    }

    private void EnsureWritableLocked()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new StorageFailedException(
                $"storage in '{_options.Directory}' failed earlier and refuses writes ({failure.InnerException?.Message ?? failure.Message}); " +
                (failure.IsDiskFull ? "reopen it once the disk has space." : "restart the node once the disk is fixed."),
                failure) { IsDiskFull = failure.IsDiskFull };
        }

        ObjectDisposedException.ThrowIf(_closed, this);
    }

    /// <summary>Enqueues one encoded record; a failure to enqueue fails the storage.</summary>
    private long EnqueueLocked(LogRecord record)
    {
        var bytes = RecordCodec.Encode(record);
        Invariant.Check(bytes.Length <= _options.MaxRecordBytes, "a record must fit in one log page");
        try
        {
            var address = _log.Enqueue(bytes);
            Invariant.Check(address > 0 && _log.TailAddress > address, "enqueue returns an address below the new tail");
            return address;
        }
        catch (Exception ex) when (ex is FasterException or IOException)
        {
            Fail(ex);
            throw _failure!;
        }
    }
}
