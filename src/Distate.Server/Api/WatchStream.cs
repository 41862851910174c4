using System.Threading.Channels;
using Distate.Server.Node;

namespace Distate.Server.Api;

/// <summary>
/// One /v3/watch stream: many watches multiplexed on one HTTP request, with ids assigned from 0 per stream as etcd does.
/// Three kinds of task share it:
/// 1. the request loop (<see cref="RunAsync"/>) reads client messages and creates, cancels and asks for progress;
/// 2. one pump per watch reads its store watcher and queues lines;
/// 3. the writer loop writes queued lines to the response, flushing after each burst.
/// Ordering: a watch's created line is queued before its pump starts, so it precedes the watch's events; a cancel marks the
/// watch before its canceled line is queued, and the writer drops the watch's event lines from then on, so nothing of a
/// canceled watch follows its canceled line, even when the pump had an event in hand. Memory is bounded by the queue
/// (<see cref="WatchStreamSettings.MaxQueuedResponses"/>) and each watcher's buffer, behind which the store falls back to
/// history. The stream ends when the client leaves or the server stops, and then releases every watcher.
/// </summary>
internal sealed partial class WatchStream : IAsyncDisposable
{
    private readonly HttpContext _context;
    private readonly RaftHost _host;
    private readonly WatchStreamSettings _settings;
    private readonly CancellationTokenSource _stop;
    private readonly Channel<QueuedWatchLine> _queue;
    private readonly object _lock = new();

    /// <summary>Watches the client can address, by id. Invariant: every slot here is also in <see cref="_live"/>.</summary>
    private readonly Dictionary<long, WatchSlot> _slots = [];

    /// <summary>Watches whose pump has not finished. Invariant: Count &lt;= MaxWatchesPerStream.</summary>
    private readonly List<WatchSlot> _live = [];
    private long _nextWatchId;
    private ProgressRound? _progress;
    private Task _writer = Task.CompletedTask;

    /// <summary>Creates the stream; <paramref name="stopping"/> ends it (client gone or server stopping).</summary>
    public WatchStream(HttpContext context, RaftHost host, WatchStreamSettings settings, CancellationToken stopping)
    {
        settings.Validate();
        _context = context;
        _host = host;
        _settings = settings;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _queue = Channel.CreateBounded<QueuedWatchLine>(new BoundedChannelOptions(settings.MaxQueuedResponses)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Serves the stream: the first message (if any), then the rest of the request body, then events until the end.</summary>
    public async Task RunAsync(WatchStreamMessage? first, JsonMessageReader reader)
    {
        _writer = WriteLoopAsync();
        try
        {
            if (first is not null)
            {
                await ApplyAsync(first).ConfigureAwait(false);
            }

            while (await ReadNextAsync(reader).ConfigureAwait(false) is { } message)
            {
                await ApplyAsync(message).ConfigureAwait(false);
            }

            // The client has sent everything; as in etcd, its watches keep streaming until it leaves.
            await _writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The client left or the server is stopping: how every watch stream ends. DisposeAsync releases the watchers.
        }
    }

    /// <summary>Ends the stream: cancels every watcher (so the store forgets them) and waits for the pumps and the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        WatchSlot[] live;
        lock (_lock)
        {
            live = [.. _live];
        }

        foreach (var slot in live)
        {
            slot.Watcher.Dispose();
        }

        try
        {
            await Task.WhenAll(live.Select(slot => slot.Pump).Append(_writer)).ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    /// <summary>The next message, or null when no more can be read. A message with bad fields or refused content is answered
    /// on the stream (as a refused create, where clients look for create errors) and skipped.</summary>
    private async Task<WatchStreamMessage?> ReadNextAsync(JsonMessageReader reader)
    {
        while (true)
        {
            System.Text.Json.JsonElement? element;
            try
            {
                element = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (InvalidMessageException ex)
            {
                // A well-formed message with refused content (text that is not Unicode, a duplicate field): the reader is
                // already past it, so answer it alone and read on; the stream's other watches never notice.
                await QueueAsync(null, Refused(ex.Message)).ConfigureAwait(false);
                continue;
            }
            catch (BadRequestException)
            {
                // Malformed JSON or an oversize message: the request stream cannot be resynchronised. As etcd does, stop
                // reading requests and keep serving the watches already created.
                return null;
            }
            catch (IOException)
            {
                // The request body broke (the client is going away): no more requests can come.
                return null;
            }

            if (element is null)
            {
                return null;
            }

            try
            {
                return WatchStreamMessage.Parse(element.Value);
            }
            catch (BadRequestException ex)
            {
                await QueueAsync(null, Refused(ex.Message)).ConfigureAwait(false);
            }
        }
    }

    private Task ApplyAsync(WatchStreamMessage message) => message.Kind switch
    {
        WatchStreamMessageKind.Create => CreateAsync(message),
        WatchStreamMessageKind.Cancel => CancelAsync(message.WatchId),
        WatchStreamMessageKind.Progress => RequestProgressAsync(),
        _ => Task.CompletedTask,
    };

    private async Task WriteLoopAsync()
    {
        var body = _context.Response.Body;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var queued))
                {
                    if (queued.DropWhenCanceled is not { ClientCanceled: true })
                    {
                        await body.WriteAsync(queued.Line, _stop.Token).ConfigureAwait(false);
                    }
                }

                await body.FlushAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The stream is ending.
        }
        catch (IOException)
        {
            // The client is gone; the finally ends the stream.
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private ValueTask QueueAsync(WatchSlot? dropWhenCanceled, WatchResultLine line) =>
        _queue.Writer.WriteAsync(new QueuedWatchLine(dropWhenCanceled, WatchJson.Line(_host, line)), _stop.Token);

    private WatchResultLine Refused(string reason) => new()
    {
        HeaderRevision = _host.Store.CurrentRevision.Value,
        WatchId = -1,
        Created = true,
        Canceled = true,
        CancelReason = reason,
    };
}
