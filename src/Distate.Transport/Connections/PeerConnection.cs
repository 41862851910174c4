using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Distate.Raft;
using Polly;
using Polly.Retry;

namespace Distate.Transport.Connections;

/// <summary>
/// The outgoing side of one peer link: a bounded queue that <see cref="TryEnqueue"/> fills without ever waiting, and
/// a writer task that keeps one TCP connection open (reconnecting through a Polly retry pipeline with exponential
/// backoff and jitter) and drains the queue into it, many frames per write.
/// </summary>
internal sealed partial class PeerConnection : IAsyncDisposable
{
    private readonly NodeId _peer;
    private readonly TransportSettings _settings;
    private readonly ITransportLog _log;
    private readonly PeerCounters _counters;
    private readonly Action<NodeId> _onUnreachable;
    private readonly Action<NodeId, bool> _onSnapshotSent;
    private readonly Channel<OutgoingMessage> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly ResiliencePipeline _reconnect;
    private readonly FrameBatch _batch = new();
    private Task _writer = Task.CompletedTask;

    /// <summary>Id of the last snapshot streamed to this peer (written by the writer task only); ids increase across connections.</summary>
    private ulong _lastSnapshotId;

    /// <summary>Creates the link; <see cref="Start"/> begins connecting.</summary>
    public PeerConnection(
        NodeId peer, IPEndPoint endpoint, TransportSettings settings, ITransportLog log, PeerCounters counters,
        Action<NodeId> onUnreachable, Action<NodeId, bool> onSnapshotSent)
    {
        _peer = peer;
        Endpoint = endpoint;
        _settings = settings;
        _log = log;
        _counters = counters;
        _onUnreachable = onUnreachable;
        _onSnapshotSent = onSnapshotSent;
        _queue = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(settings.MaxQueuedMessagesPerPeer)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = false,
        });
        _reconnect = BuildReconnectPipeline();
    }

    /// <summary>Where the peer listens.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Starts the writer task.</summary>
    public void Start()
    {
        Invariant.Check(_writer.IsCompleted, "a peer connection is started once");
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Queues a message without waiting; false when the queue is full or the link is stopping.</summary>
    public bool TryEnqueue(OutgoingMessage item) => _queue.Writer.TryWrite(item);

    /// <summary>Stops the writer, closes the connection and drops (reporting snapshots as failed) whatever is still queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        _batch.Dispose();
        _stop.Dispose();
    }

    /// <summary>Keeps a session running until stopped; each pipeline execution restarts the backoff from its base delay.</summary>
    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await _reconnect.ExecuteAsync(RunSessionAsync, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping is the only way out of the loop; the queue is drained below.
        }
        catch (Exception exception)
        {
            _log.Write(TransportLogLevel.Error, $"writer to node {_peer} at {Endpoint} failed unexpectedly; the link is dead until the peer is set again", exception);
            throw;
        }
        finally
        {
            DropQueued("the link to the peer stopped");
        }
    }

    private ResiliencePipeline BuildReconnectPipeline() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<SocketException>().Handle<IOException>().Handle<TimeoutException>().Handle<PeerConnectionLostException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _settings.ReconnectBaseDelay,
            MaxDelay = _settings.ReconnectMaxDelay,
            OnRetry = arguments =>
            {
                OnSessionFailed(arguments.Outcome.Exception, arguments.RetryDelay);
                return default;
            },
        })
        .Build();

    /// <summary>A connect failed or a young connection broke: count, log, tell the node, and drop what waited for it.</summary>
    private void OnSessionFailed(Exception? exception, TimeSpan retryDelay)
    {
        _counters.AddConnectFailure();
        _log.Write(TransportLogLevel.Warning,
            $"node {_peer} at {Endpoint} unreachable ({exception?.Message}); retrying in {retryDelay.TotalMilliseconds:F0} ms");
        DropQueued("the peer is unreachable");
        _onUnreachable(_peer);
    }

    /// <summary>Drops every queued message, reporting queued snapshots as failed so the leader retries them later.</summary>
    private void DropQueued(string reason)
    {
        var dropped = 0;
        while (_queue.Reader.TryRead(out var item))
        {
            dropped++;
            if (item.Message.Type == MessageType.Snapshot)
            {
                _onSnapshotSent(_peer, false);
            }
        }

        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
            _log.Write(TransportLogLevel.Debug, $"dropped {dropped} queued messages to node {_peer}: {reason}");
        }
    }

    private static long Now => Stopwatch.GetTimestamp();
}
