using System.Globalization;
using Distate.Store;
using Distate.Store.Watch;

namespace Distate.Server.Rest;

/// <summary>
/// Pumps one watcher into one SSE response. Each revision's events are written in order; only the last event of a revision
/// carries <c>id: &lt;revision&gt;</c>, so a client's last event id always names a revision it has every event of. A
/// connection cut in the middle of a multi-key revision therefore resumes at that revision (repeating its first events)
/// rather than after it (losing the rest): never a gap. Memory stays bounded: the watcher's buffer is bounded and, when a
/// slow client fills it, the store lets the watcher fall behind and refill from history; this loop awaits every flush, so
/// a slow client slows only its own stream.
/// </summary>
internal static class RestWatchStream
{
    /// <summary>Streams until the client leaves, the server stops or the watch ends (compaction overtook it).</summary>
    public static async Task RunAsync(HttpContext context, Watcher watcher, Revision start, TimeSpan heartbeat, int flushEvents)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(watcher);
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var writer = new ServerSentEventWriter(response.BodyWriter);
        writer.Comment("watching from revision " + start.Value.ToString(CultureInfo.InvariantCulture));
        try
        {
            await PumpAsync(writer, watcher, heartbeat, flushEvents, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream ends here, and the caller disposes the watcher.
            // A client that still wants events reconnects with Last-Event-ID and loses nothing.
        }
    }

    private static async Task PumpAsync(ServerSentEventWriter writer, Watcher watcher, TimeSpan heartbeat, int flushEvents, CancellationToken stop)
    {
        if (!await writer.FlushAsync(stop).ConfigureAwait(false))
        {
            return;
        }

        using var timer = new PeriodicTimer(heartbeat);
        Task<bool> tick = timer.WaitForNextTickAsync(stop).AsTask();
        Task<WatchResponse?> next = watcher.ReadAsync(stop).AsTask();
        while (true)
        {
            if (await Task.WhenAny(next, tick).ConfigureAwait(false) == tick)
            {
                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }

                writer.Comment("keep-alive");
                tick = timer.WaitForNextTickAsync(stop).AsTask();
            }
            else
            {
                var response = await next.ConfigureAwait(false);
                if (response is null || response.Canceled)
                {
                    WriteEnd(writer, response);
                    await writer.FlushAsync(stop).ConfigureAwait(false);
                    return;
                }

                if (!await WriteEventsAsync(writer, response, flushEvents, stop).ConfigureAwait(false))
                {
                    return;
                }

                next = watcher.ReadAsync(stop).AsTask();
            }

            if (!await writer.FlushAsync(stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Writes one revision's events, flushing every <paramref name="flushEvents"/>; false when the client is gone.</summary>
    private static async ValueTask<bool> WriteEventsAsync(ServerSentEventWriter writer, WatchResponse response, int flushEvents, CancellationToken stop)
    {
        var events = response.Events;
        string id = response.Revision.Value.ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < events.Count; i++)
        {
            var change = events[i];
            Invariant.Check(change.Kv.ModRevision == response.Revision, "a watch response holds one revision");
            writer.Event(i == events.Count - 1 ? id : null, change.Type == WatchEventType.Delete ? "delete" : "put",
                RestJson.WatchEvent(change), RestJson.Context.RestWatchEvent);
            if ((i + 1) % flushEvents == 0 && !await writer.FlushAsync(stop).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the final <c>event: error</c> of a watch the store ended (compaction overtook it).</summary>
    private static void WriteEnd(ServerSentEventWriter writer, WatchResponse? final)
    {
        bool compacted = final is not null && final.CompactRevision.Value > 0;
        var error = new RestError
        {
            Error = compacted
                ? $"the requested history has been compacted; the oldest revision still readable is {final!.CompactRevision.Value}: " +
                  "read the key(s) again and watch from the revision of that read"
                : "the watch was ended by the server: " + (final?.CancelReason ?? "the watcher closed"),
            Code = compacted ? "compacted" : "canceled",
            Revision = final?.Revision.Value,
            CompactRevision = compacted ? final!.CompactRevision.Value : null,
        };
        writer.Event(null, "error", error, RestJson.Context.RestError);
    }
}
