namespace Distate.Server.Api;

/// <summary>
/// Progress. A stream-wide progress_request is answered with one {"watch_id":"-1"} line whose header revision R promises
/// that every event up to R of every watch on the stream has already been written. The store gives that promise per watcher
/// (a progress response once its watcher is synced), so the stream asks each watch, waits until each has reported (or
/// ended), and announces the smallest revision reported. Because a pump queues a watcher's events before it reads that
/// watcher's progress response, everything the promise covers is queued before the announcement. Requests arriving while
/// a round is open share its answer. (etcd 3.4 answers at once with the store revision even when a watch is still
/// catching up from history; etcd 3.5 waits as this does.)
/// </summary>
internal sealed partial class WatchStream
{
    private async Task RequestProgressAsync()
    {
        var asked = new List<WatchSlot>();
        lock (_lock)
        {
            if (_progress is not null)
            {
                return;
            }

            if (_slots.Count > 0)
            {
                _progress = new ProgressRound();
                foreach (var slot in _slots.Values)
                {
                    slot.ProgressAwaited = true;
                    _progress.Expect();
                    asked.Add(slot);
                }
            }
        }

        if (asked.Count == 0)
        {
            await QueueProgressAsync(_host.Store.CurrentRevision.Value).ConfigureAwait(false);
            return;
        }

        foreach (var slot in asked)
        {
            slot.Watcher.RequestProgress();
        }
    }

    /// <summary>A watcher's progress response: counts toward an open round, else is passed on if the watch asked for
    /// progress notifications (progress_notify), else dropped.</summary>
    private async Task OnProgressAsync(WatchSlot slot, long revision)
    {
        bool forward;
        long? announce;
        lock (_lock)
        {
            forward = !slot.ProgressAwaited && slot.Watcher.Request.ProgressNotify;
            announce = SettleLocked(slot, revision);
        }

        if (forward)
        {
            await QueueAsync(slot, new WatchResultLine { HeaderRevision = revision, WatchId = slot.Id }).ConfigureAwait(false);
        }

        if (announce is { } complete)
        {
            await QueueProgressAsync(complete).ConfigureAwait(false);
        }
    }

    private bool AwaitsProgress(WatchSlot slot)
    {
        lock (_lock)
        {
            return slot.ProgressAwaited;
        }
    }

    /// <summary>Records a watch's report for the open round, if it owes one; returns the revision to announce when that
    /// completed the round. Caller holds the lock.</summary>
    private long? SettleLocked(WatchSlot slot, long? reported)
    {
        if (!slot.ProgressAwaited)
        {
            return null;
        }

        slot.ProgressAwaited = false;
        var round = _progress ?? throw new InvalidOperationException("a watch awaited progress with no round open");
        if (!round.Settle(reported))
        {
            return null;
        }

        _progress = null;
        return round.Revision == long.MaxValue ? _host.Store.CurrentRevision.Value : round.Revision;
    }

    private ValueTask QueueProgressAsync(long revision) =>
        QueueAsync(null, new WatchResultLine { HeaderRevision = revision, WatchId = -1 });
}
