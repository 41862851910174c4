using Distate.Store.Errors;
using Distate.Store.Mvcc;

namespace Distate.Store.Watch;

/// <summary>Delivers each applied revision's events to watchers. Lock order: store lock, then a watcher's Gate, then the
/// registry lock. Hand-over from history to live is exact because both run under the store lock:
/// 1. catch-up holds the read lock, so no revision is applied while it reads history up to the current revision;
/// 2. it marks the watcher synced with NextRevision = current + 1 before releasing the lock;
/// 3. the next apply holds the write lock and delivers exactly revision current + 1 to synced watchers.
/// So no revision is skipped (1, 3) or delivered twice (2).</summary>
internal sealed class WatchHub
{
    private readonly object _registryLock = new();
    private readonly ReaderWriterLockSlim _storeLock;
    private readonly Func<MvccState> _state;
    private readonly StoreSettings _settings;
    private Watcher[] _watchers = [];
    private long _nextWatchId = 1;

    /// <summary>Creates a hub over the store's lock and state.</summary>
    public WatchHub(ReaderWriterLockSlim storeLock, Func<MvccState> state, StoreSettings settings)
    {
        _storeLock = storeLock;
        _state = state;
        _settings = settings;
    }

    /// <summary>Number of registered watchers.</summary>
    public int Count => Volatile.Read(ref _watchers).Length;

    /// <summary>Registers a watcher. Caller holds the store read lock.</summary>
    public Watcher Register(WatchRequest request)
    {
        MvccState state = _state();
        var watcher = new Watcher(Interlocked.Increment(ref _nextWatchId) - 1, request, _settings.WatcherBufferResponses, this);
        long start = request.StartRevision.Value;
        if (start > 0 && start < state.CompactRevision)
        {
            lock (watcher.Gate)
            {
                watcher.Complete(CompactedResponse(watcher, state));
            }

            return watcher;
        }

        watcher.NextRevision = start <= 0 ? state.CurrentRevision + 1 : start;
        watcher.State = watcher.NextRevision > state.CurrentRevision ? WatcherState.Synced : WatcherState.Unsynced;
        lock (_registryLock)
        {
            if (_watchers.Length >= _settings.MaxWatchers)
            {
                throw new StoreRequestException(StoreError.Create(new Revision(state.CurrentRevision), StoreErrorCode.TooManyWatchers));
            }

            _watchers = [.. _watchers, watcher];
        }

        return watcher;
    }

    /// <summary>Delivers one revision's changes to synced watchers without blocking. Caller holds the store write lock.</summary>
    public void Publish(KeyVersion[] changes)
    {
        var batch = new EventBatch(changes, 0, changes.Length);
        Watcher[] watchers = Volatile.Read(ref _watchers);
        foreach (Watcher watcher in watchers)
        {
            lock (watcher.Gate)
            {
                if (watcher.State != WatcherState.Synced || watcher.NextRevision > batch.Revision)
                {
                    continue;
                }

                Invariant.Check(watcher.NextRevision == batch.Revision, "a synced watcher has no gap");
                IReadOnlyList<WatchEvent>? events = batch.For(watcher.Request);
                if (events is null || watcher.TryWrite(new WatchResponse(watcher.Id, new Revision(batch.Revision), events)))
                {
                    watcher.NextRevision = batch.Revision + 1;
                }
                else
                {
                    watcher.State = WatcherState.Unsynced;
                }
            }
        }
    }

    /// <summary>Refills an unsynced watcher's buffer from history, marking it synced when it reaches the current revision,
    /// or cancels it when compaction overtook it. Called by the watcher's reader.</summary>
    public void CatchUp(Watcher watcher)
    {
        _storeLock.EnterReadLock();
        try
        {
            lock (watcher.Gate)
            {
                if (watcher.State == WatcherState.Unsynced)
                {
                    CatchUpLocked(watcher, _state());
                }
            }
        }
        finally
        {
            _storeLock.ExitReadLock();
        }
    }

    private void CatchUpLocked(Watcher watcher, MvccState state)
    {
        if (watcher.NextRevision < state.CompactRevision)
        {
            CancelLocked(watcher, CompactedResponse(watcher, state));
            return;
        }

        KeyVersion[] log = SliceLog(state, watcher.NextRevision, out int count);
        int index = 0;
        while (index < count)
        {
            int end = index + 1;
            while (end < count && log[end].ModMain == log[index].ModMain)
            {
                end++;
            }

            var batch = new EventBatch(log, index, end - index);
            IReadOnlyList<WatchEvent>? events = batch.For(watcher.Request);
            if (events is not null && !watcher.TryWrite(new WatchResponse(watcher.Id, new Revision(batch.Revision), events)))
            {
                return;
            }

            watcher.NextRevision = batch.Revision + 1;
            index = end;
        }

        if (count == 0 || ReachedEnd(state, watcher))
        {
            watcher.NextRevision = Math.Max(watcher.NextRevision, state.CurrentRevision + 1);
            watcher.State = WatcherState.Synced;
            SendPendingProgress(watcher, state);
        }
    }

    /// <summary>Copies up to the scan limit of log entries from a revision, ending on a revision boundary.</summary>
    private KeyVersion[] SliceLog(MvccState state, long fromRevision, out int count)
    {
        int first = state.Log.FirstAtOrAfter(fromRevision);
        int take = Math.Min(state.Log.Count - first, _settings.MaxCatchUpScanEntries);
        while (first + take < state.Log.Count && take > 0 && state.Log[first + take].ModMain == state.Log[first + take - 1].ModMain)
        {
            take++;
        }

        var slice = new KeyVersion[take];
        for (int i = 0; i < take; i++)
        {
            slice[i] = state.Log[first + i];
        }

        count = take;
        return slice;
    }

    private static bool ReachedEnd(MvccState state, Watcher watcher) =>
        state.Log.FirstAtOrAfter(watcher.NextRevision) == state.Log.Count;

    /// <summary>Sends a progress notification to every synced watcher that asked for them. Takes the store read lock.</summary>
    public void NotifyProgress()
    {
        _storeLock.EnterReadLock();
        try
        {
            long current = _state().CurrentRevision;
            foreach (Watcher watcher in Volatile.Read(ref _watchers))
            {
                if (!watcher.Request.ProgressNotify)
                {
                    continue;
                }

                lock (watcher.Gate)
                {
                    if (watcher.State == WatcherState.Synced)
                    {
                        watcher.TryWrite(ProgressResponse(watcher, current));
                    }
                }
            }
        }
        finally
        {
            _storeLock.ExitReadLock();
        }
    }

    /// <summary>Sends one progress notification to a watcher now, or once its catch-up completes.</summary>
    public void RequestProgress(Watcher watcher)
    {
        _storeLock.EnterReadLock();
        try
        {
            lock (watcher.Gate)
            {
                watcher.ProgressPending = true;
                if (watcher.State == WatcherState.Synced)
                {
                    SendPendingProgress(watcher, _state());
                }
            }
        }
        finally
        {
            _storeLock.ExitReadLock();
        }
    }

    /// <summary>Cancels a watcher (client request or store decision) and unregisters it.</summary>
    public void Cancel(Watcher watcher, WatchResponse? finalResponse)
    {
        lock (watcher.Gate)
        {
            if (watcher.State != WatcherState.Canceled)
            {
                CancelLocked(watcher, finalResponse);
            }
        }
    }

    /// <summary>Moves every watcher to catching up from the new history after a snapshot replaced the state. Caller holds
    /// the write lock. A reader may be asleep on an empty buffer, so catch-up runs here until the watcher is synced again or
    /// has something buffered (which wakes its reader, who continues the catch-up).</summary>
    public void ResyncAll()
    {
        MvccState state = _state();
        foreach (Watcher watcher in Volatile.Read(ref _watchers))
        {
            lock (watcher.Gate)
            {
                if (watcher.State != WatcherState.Synced)
                {
                    continue;
                }

                watcher.State = WatcherState.Unsynced;
                while (watcher.State == WatcherState.Unsynced && watcher.BufferedCount == 0)
                {
                    CatchUpLocked(watcher, state);
                }
            }
        }
    }

    private void CancelLocked(Watcher watcher, WatchResponse? finalResponse)
    {
        watcher.Complete(finalResponse);
        lock (_registryLock)
        {
            int index = Array.IndexOf(_watchers, watcher);
            if (index >= 0)
            {
                Watcher[] remaining = new Watcher[_watchers.Length - 1];
                Array.Copy(_watchers, 0, remaining, 0, index);
                Array.Copy(_watchers, index + 1, remaining, index, _watchers.Length - index - 1);
                _watchers = remaining;
            }
        }
    }

    private static void SendPendingProgress(Watcher watcher, MvccState state)
    {
        if (watcher.ProgressPending && watcher.TryWrite(ProgressResponse(watcher, state.CurrentRevision)))
        {
            watcher.ProgressPending = false;
        }
    }

    private static WatchResponse ProgressResponse(Watcher watcher, long revision) =>
        new(watcher.Id, new Revision(revision), [], IsProgressNotify: true);

    private static WatchResponse CompactedResponse(Watcher watcher, MvccState state) =>
        new(watcher.Id, new Revision(state.CurrentRevision), [], Canceled: true,
            CancelReason: StoreError.MessageFor(StoreErrorCode.Compacted), CompactRevision: new Revision(state.CompactRevision));
}
