using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Connections;

namespace Distate.Transport;

/// <summary>
/// Carries Raft messages between nodes: one persistent, pipelined TCP connection per peer (bound to this node's
/// advertised IP), length-prefixed frames, reconnect with backoff, and a bounded queue per peer so
/// <see cref="TrySend"/> never waits on a slow or dead peer. Received messages arrive on <see cref="Incoming"/>.
/// Event handlers run on transport tasks or inside <see cref="TrySend"/>: they must only enqueue work for the node loop.
/// </summary>
public sealed partial class PeerTransport : IAsyncDisposable
{
    private readonly TransportSettings _settings;
    private readonly ITransportLog _log;
    private readonly Channel<Message> _incoming;
    private readonly ConcurrentDictionary<NodeId, PeerConnection> _peers = new();
    private readonly ConcurrentDictionary<NodeId, PeerCounters> _counters = new();
    private readonly ConcurrentBag<Task> _retiring = [];
    private readonly Lock _peersLock = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _protocolErrors;
    private long _inboundRefused;
    private bool _disposed;

    /// <summary>Creates a stopped transport with validated settings and the initial peer map; <see cref="Start"/> begins listening.</summary>
    public PeerTransport(TransportSettings settings, IReadOnlyDictionary<NodeId, IPEndPoint>? peers = null, ITransportLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
        _log = log ?? NullTransportLog.Instance;
        _incoming = Channel.CreateBounded<Message>(new BoundedChannelOptions(settings.MaxIncomingMessages)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false,
        });
        foreach (var (id, endpoint) in peers ?? new Dictionary<NodeId, IPEndPoint>())
        {
            SetPeer(id, endpoint);
        }
    }

    /// <summary>Raised when a peer could not be reached or its connection broke; the node should call ReportUnreachable.</summary>
    public event Action<NodeId>? PeerUnreachable;

    /// <summary>Raised once per Snapshot message: true when every chunk was written to the socket, false when refused, dropped or failed midway; the node should call ReportSnapshot.</summary>
    public event Action<NodeId, bool>? SnapshotSent;

    /// <summary>
    /// Messages received from peers, in order per peer, except that a Snapshot is delivered once its last chunk has
    /// arrived: messages sent after it may come first (never those sent before it). The node loop reads them.
    /// </summary>
    public ChannelReader<Message> Incoming => _incoming.Reader;

    /// <summary>The endpoint actually listened on (the real port when the settings asked for port 0); null before <see cref="Start"/>.</summary>
    public IPEndPoint? ListenEndpoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>This transport's settings.</summary>
    public TransportSettings Settings => _settings;

    /// <summary>Binds the listen endpoint and starts accepting peers; throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Invariant.Check(_listener is null, "a transport is started once");
        var listener = new Socket(_settings.ListenEndpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                // A restarted node must rebind its port while old connections sit in TIME_WAIT (safe on Unix: no port sharing).
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            listener.Bind(_settings.ListenEndpoint);
            listener.Listen(_settings.MaxInboundConnections);
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            _log.Write(TransportLogLevel.Error, $"cannot listen for peers on {_settings.ListenEndpoint}: {exception.Message}", exception);
            throw;
        }

        _listener = listener;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener, _stop.Token));
    }

    /// <summary>Adds a peer or moves it to a new endpoint (membership change); an unchanged endpoint keeps the live connection.</summary>
    public void SetPeer(NodeId id, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!id.IsSome || id == _settings.LocalId)
        {
            throw new ArgumentException($"peer id {id} must be non-zero and not this node ({_settings.LocalId})", nameof(id));
        }

        if (endpoint.AddressFamily != _settings.AdvertisedEndpoint.AddressFamily)
        {
            throw new ArgumentException(
                $"peer {id} at {endpoint} is {endpoint.AddressFamily} but this node advertises {_settings.AdvertisedEndpoint} ({_settings.AdvertisedEndpoint.AddressFamily}); outgoing connections bind to the advertised address, so both must use the same family",
                nameof(endpoint));
        }

        lock (_peersLock)
        {
            if (_peers.TryGetValue(id, out var existing) && existing.Endpoint.Equals(endpoint))
            {
                return;
            }

            var connection = new PeerConnection(id, endpoint, _settings, _log, CountersOf(id), RaiseUnreachable, RaiseSnapshotSent);
            _peers[id] = connection;
            connection.Start();
            if (existing is not null)
            {
                _retiring.Add(existing.DisposeAsync().AsTask());
            }
        }
    }

    /// <summary>Forgets a peer (removed from the cluster): closes its connection and drops what was queued for it.</summary>
    public void RemovePeer(NodeId id)
    {
        lock (_peersLock)
        {
            if (_peers.TryRemove(id, out var existing))
            {
                _retiring.Add(existing.DisposeAsync().AsTask());
            }
        }
    }

    /// <summary>
    /// Queues a message for its recipient without ever waiting. False (message dropped, counted) when the peer is
    /// unknown, its queue is full, the message's frame exceeds MaxFrameBytes, or a snapshot's data exceeds
    /// MaxSnapshotBytes; a dropped Snapshot also raises <see cref="SnapshotSent"/> with false. A Snapshot message
    /// travels as chunks of SnapshotChunkBytes, so only its data size is bounded (by MaxSnapshotBytes).
    /// </summary>
    public bool TrySend(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Invariant.Check(message.To != _settings.LocalId, "a node never sends a message to itself");
        var item = message.Type == MessageType.Snapshot ? MeasureSnapshot(message) : MeasureMessage(message);
        if (item is not { } measured)
        {
            return Dropped(message);
        }

        if (!_peers.TryGetValue(message.To, out var connection) || !connection.TryEnqueue(measured))
        {
            return Dropped(message);
        }

        return true;
    }

    /// <summary>Sizes a message that travels as one frame; null (logged) when the frame would exceed MaxFrameBytes.</summary>
    private OutgoingMessage? MeasureMessage(Message message)
    {
        var size = RaftMessageCodec.Measure(message);
        if (TransportSettings.MessageFramingBytes + size <= _settings.MaxFrameBytes)
        {
            return new OutgoingMessage(message, size);
        }

        _log.Write(TransportLogLevel.Error,
            $"refused {message.Type} to node {message.To}: {size} bytes exceeds MaxFrameBytes = {_settings.MaxFrameBytes}; raise MaxFrameBytes on every node or lower the Raft MaxAppendBytes");
        return null;
    }

    /// <summary>Sizes a Snapshot message's envelope; null (logged) when its data exceeds MaxSnapshotBytes or the first chunk could not carry the envelope and a byte of data.</summary>
    private OutgoingMessage? MeasureSnapshot(Message message)
    {
        Invariant.Check(message.Snapshot is not null, "a Snapshot message carries a snapshot");
        var dataBytes = message.Snapshot.Data.Length;
        if (dataBytes > _settings.MaxSnapshotBytes)
        {
            _log.Write(TransportLogLevel.Error,
                $"refused Snapshot to node {message.To}: {dataBytes} bytes of snapshot data exceed MaxSnapshotBytes = {_settings.MaxSnapshotBytes}; raise MaxSnapshotBytes on every node or lower the store quota");
            return null;
        }

        var envelope = RaftMessageCodec.MeasureEnvelope(message);
        if (SnapshotChunkCodec.MaxHeaderBytesWith(envelope) + Math.Min(dataBytes, 1) > _settings.MaxFrameBytes)
        {
            _log.Write(TransportLogLevel.Error,
                $"refused Snapshot to node {message.To}: its fields without the data take {envelope} bytes, too many for a first chunk within MaxFrameBytes = {_settings.MaxFrameBytes}; raise MaxFrameBytes on every node");
            return null;
        }

        return new OutgoingMessage(message, envelope);
    }

    /// <summary>Copies every counter, for metrics.</summary>
    public TransportStats GetStats()
    {
        var peers = new Dictionary<NodeId, PeerStats>();
        foreach (var (id, counters) in _counters)
        {
            peers[id] = counters.Snapshot();
        }

        return new TransportStats(peers, Interlocked.Read(ref _protocolErrors), Interlocked.Read(ref _inboundRefused));
    }

    private bool Dropped(Message message)
    {
        CountersOf(message.To).AddDropped(1);
        if (message.Type == MessageType.Snapshot)
        {
            RaiseSnapshotSent(message.To, false);
        }

        return false;
    }

    private PeerCounters CountersOf(NodeId id) => _counters.GetOrAdd(id, static _ => new PeerCounters());

    private void RaiseUnreachable(NodeId id) => PeerUnreachable?.Invoke(id);

    private void RaiseSnapshotSent(NodeId id, bool ok) => SnapshotSent?.Invoke(id, ok);
}
