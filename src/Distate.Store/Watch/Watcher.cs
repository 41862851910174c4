using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Distate.Store.Watch;

/// <summary>One registered watch, consumed by one reader (for example an HTTP stream). Apply only ever tries a non-blocking
/// write into its bounded buffer; when the buffer is full the watcher turns unsynced and <see cref="ReadAsync"/> refills it
/// from history before waiting for live events again. Dispose to cancel.</summary>
public sealed class Watcher : IDisposable
{
    private readonly Channel<WatchResponse> _buffer;
    private readonly WatchHub _hub;
    private WatchResponse? _final;
    private volatile WatcherState _state;

    /// <summary>Creates a watcher; the hub sets its state and next revision before registering it.</summary>
    internal Watcher(long id, WatchRequest request, int bufferResponses, WatchHub hub)
    {
        Id = id;
        Request = request;
        _hub = hub;
        _buffer = Channel.CreateBounded<WatchResponse>(new BoundedChannelOptions(bufferResponses)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The watch id, unique within the store.</summary>
    public long Id { get; }

    /// <summary>What is watched.</summary>
    public WatchRequest Request { get; }

    /// <summary>True once canceled (by the client, by compaction, or by the store).</summary>
    public bool IsCanceled => _state == WatcherState.Canceled;

    /// <summary>Guards state changes and buffer writes among threads holding the store's read lock.</summary>
    internal object Gate { get; } = new();

    /// <summary>Where the next events come from. Written under <see cref="Gate"/>.</summary>
    internal WatcherState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>The next revision this watcher must receive. Invariant: every earlier revision was delivered or filtered out.</summary>
    internal long NextRevision { get; set; }

    /// <summary>A progress notification was asked for while unsynced; send it once synced.</summary>
    internal bool ProgressPending { get; set; }

    /// <summary>Reads the next response: buffered events, history catch-up when behind, or waits for live ones.
    /// Returns null after the final (cancel) response has been read.</summary>
    public async ValueTask<WatchResponse?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_buffer.Reader.TryRead(out WatchResponse? response))
            {
                return response;
            }

            if (_state == WatcherState.Unsynced)
            {
                _hub.CatchUp(this);
                continue;
            }

            if (_buffer.Reader.Completion.IsCompleted || !await _buffer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return Interlocked.Exchange(ref _final, null);
            }
        }
    }

    /// <summary>Streams every response until the watcher ends (the final cancel response included), for HTTP streaming.</summary>
    public async IAsyncEnumerable<WatchResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } response)
        {
            yield return response;
        }
    }

    /// <summary>Asks for a progress notification: sent now when synced, or as soon as catch-up completes.</summary>
    public void RequestProgress() => _hub.RequestProgress(this);

    /// <summary>Cancels the watch; buffered responses can still be read.</summary>
    public void Dispose() => _hub.Cancel(this, finalResponse: null);

    /// <summary>Number of responses waiting in the buffer.</summary>
    internal int BufferedCount => _buffer.Reader.Count;

    /// <summary>Tries to buffer a response without blocking.</summary>
    internal bool TryWrite(WatchResponse response) => _buffer.Writer.TryWrite(response);

    /// <summary>Marks the watcher canceled; the final response is read after what is buffered. Call under <see cref="Gate"/>.</summary>
    internal void Complete(WatchResponse? finalResponse)
    {
        Invariant.Check(_state != WatcherState.Canceled, "a watcher is canceled once");
        _state = WatcherState.Canceled;
        _final = finalResponse;
        _buffer.Writer.TryComplete();
    }
}
