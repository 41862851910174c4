using Distate.Store;
using Distate.Store.Errors;
using Distate.Store.Watch;

namespace Distate.Server.Api;

/// <summary>Creating, cancelling and pumping the watches of a stream.</summary>
internal sealed partial class WatchStream
{
    private async Task CreateAsync(WatchStreamMessage message)
    {
        var (slot, line) = Register(message);
        await QueueAsync(null, line).ConfigureAwait(false);
        if (slot is null)
        {
            return;
        }

        slot.Pump = Task.Run(() => PumpAsync(slot));
        if (AwaitsProgress(slot))
        {
            slot.Watcher.RequestProgress();
        }
    }

    /// <summary>Registers the watcher and picks its id, or says why not. The created header carries the revision the watch
    /// starts after: with no start revision given, the watcher is asked to start at exactly that revision plus one, so a
    /// write landing between reading the revision and registering is delivered rather than skipped.</summary>
    private (WatchSlot? Slot, WatchResultLine Line) Register(WatchStreamMessage message)
    {
        var request = message.Create ?? throw new ArgumentException("a create message carries a watch request", nameof(message));
        lock (_lock)
        {
            if (_live.Count >= _settings.MaxWatchesPerStream)
            {
                return (null, Refused($"etcdserver: too many watches on one stream (the limit is {_settings.MaxWatchesPerStream}); cancel some or open another stream"));
            }

            if (message.WatchId < 0)
            {
                return (null, Refused("etcdserver: watch_id must not be negative"));
            }

            if (message.WatchId != 0 && _slots.ContainsKey(message.WatchId))
            {
                return (null, Refused("mvcc: duplicate watch ID provided on the WatchStream"));
            }

            long revision = _host.Store.CurrentRevision.Value;
            if (request.StartRevision.Value == 0)
            {
                request = request with { StartRevision = new Revision(revision + 1) };
            }

            Watcher watcher;
            try
            {
                watcher = _host.Store.Watch(request);
            }
            catch (StoreRequestException ex)
            {
                return (null, Refused(ex.Error.Message));
            }

            var slot = new WatchSlot(message.WatchId != 0 ? message.WatchId : NextFreeId(), watcher);
            _slots.Add(slot.Id, slot);
            _live.Add(slot);
            if (_progress is not null)
            {
                slot.ProgressAwaited = true;
                _progress.Expect();
            }

            return (slot, new WatchResultLine { HeaderRevision = revision, WatchId = slot.Id, Created = true });
        }
    }

    /// <summary>etcd's id choice: the lowest unused id at or after the last one given. Caller holds the lock.</summary>
    private long NextFreeId()
    {
        while (_slots.ContainsKey(_nextWatchId))
        {
            _nextWatchId++;
        }

        return _nextWatchId++;
    }

    /// <summary>Cancels a watch at the client's request; an unknown id gets no answer, as in etcd.</summary>
    private async Task CancelAsync(long id)
    {
        WatchSlot? slot;
        long? progress;
        lock (_lock)
        {
            if (!_slots.Remove(id, out slot))
            {
                return;
            }

            slot.ClientCanceled = true;
            progress = SettleLocked(slot, reported: null);
        }

        slot.Watcher.Dispose();
        var line = new WatchResultLine { HeaderRevision = _host.Store.CurrentRevision.Value, WatchId = id, Canceled = true };
        await QueueAsync(null, line).ConfigureAwait(false);
        if (progress is { } revision)
        {
            await QueueProgressAsync(revision).ConfigureAwait(false);
        }
    }

    /// <summary>Moves one watcher's responses to the queue until it ends, then retires it.</summary>
    private async Task PumpAsync(WatchSlot slot)
    {
        try
        {
            WatchResponse? final = await ForwardAsync(slot).ConfigureAwait(false);
            long? progress = Retire(slot);
            if (final is not null)
            {
                // etcd 3.4 sends a compaction cancel with no header revision and no cancel reason.
                bool compacted = final.CompactRevision.Value != 0;
                var line = new WatchResultLine
                {
                    HeaderRevision = compacted ? 0 : final.Revision.Value,
                    WatchId = slot.Id,
                    Canceled = true,
                    CompactRevision = final.CompactRevision.Value,
                    CancelReason = compacted ? null : final.CancelReason,
                };
                await QueueAsync(slot, line).ConfigureAwait(false);
            }

            if (progress is { } revision)
            {
                await QueueProgressAsync(revision).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The stream is ending; the finally releases the watcher.
        }
        catch
        {
            // A bug: end the whole stream rather than leave a watch that silently stopped.
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            slot.Watcher.Dispose();
            Retire(slot);
        }
    }

    /// <summary>Queues events and progress until the watcher ends; returns its final (cancel) response, if the store sent one.</summary>
    private async Task<WatchResponse?> ForwardAsync(WatchSlot slot)
    {
        WatchResponse? final = null;
        await foreach (var response in slot.Watcher.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            if (response.Canceled)
            {
                final = response;
            }
            else if (response.IsProgressNotify)
            {
                await OnProgressAsync(slot, response.Revision.Value).ConfigureAwait(false);
            }
            else if (!slot.ClientCanceled)
            {
                var line = new WatchResultLine { HeaderRevision = response.Revision.Value, WatchId = slot.Id, Events = response.Events };
                await QueueAsync(slot, line).ConfigureAwait(false);
                if (AwaitsProgress(slot))
                {
                    // The store sends an asked-for progress once the watcher's buffer has room; reading made room, so ask again.
                    slot.Watcher.RequestProgress();
                }
            }
        }

        return final;
    }

    /// <summary>Forgets a finished watch (idempotent); returns the revision to announce if that completed a progress round.</summary>
    private long? Retire(WatchSlot slot)
    {
        lock (_lock)
        {
            _live.Remove(slot);
            if (_slots.TryGetValue(slot.Id, out var current) && ReferenceEquals(current, slot))
            {
                _slots.Remove(slot.Id);
            }

            return SettleLocked(slot, reported: null);
        }
    }
}
