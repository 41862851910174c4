using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;

namespace Distate.Transport.Connections;

/// <summary>
/// Reads one accepted connection: checks the handshake, then decodes frames into the node's bounded incoming channel,
/// reassembling each snapshot's chunk frames (<see cref="SnapshotReassembly"/>, at most one at a time) into one message.
/// When that channel is full the reader waits: only this peer's socket slows down (TCP pushes back on its writer,
/// whose queue then drops), and no other peer or the node loop is held up.
/// </summary>
internal sealed class InboundConnection
{
    private readonly Socket _socket;
    private readonly TransportSettings _settings;
    private readonly ITransportLog _log;
    private readonly ChannelWriter<Message> _incoming;
    private readonly Func<NodeId, PeerCounters> _countersOf;
    private readonly Action _onProtocolError;
    private readonly EndPoint? _remote;

    /// <summary>Wraps an accepted socket; <see cref="RunAsync"/> reads it until it closes.</summary>
    public InboundConnection(
        Socket socket, TransportSettings settings, ITransportLog log, ChannelWriter<Message> incoming,
        Func<NodeId, PeerCounters> countersOf, Action onProtocolError)
    {
        _socket = socket;
        _settings = settings;
        _log = log;
        _incoming = incoming;
        _countersOf = countersOf;
        _onProtocolError = onProtocolError;
        _remote = socket.RemoteEndPoint;
    }

    /// <summary>Closes the socket, ending <see cref="RunAsync"/>.</summary>
    public void Close() => _socket.Close();

    /// <summary>Reads the connection until the peer closes it, it breaks the protocol, or the transport stops.</summary>
    public async Task RunAsync(CancellationToken stopToken)
    {
        using var reader = new FrameReader(_socket, _settings.MaxFrameBytes);
        try
        {
            var sender = await ReadHandshakeAsync(reader, stopToken).ConfigureAwait(false);
            _log.Write(TransportLogLevel.Debug, $"accepted connection from node {sender} at {_remote}");
            await ReadMessagesAsync(reader, sender, stopToken).ConfigureAwait(false);
        }
        catch (TransportProtocolException exception)
        {
            _onProtocolError();
            _log.Write(TransportLogLevel.Error, $"closing peer connection from {_remote}: {exception.Message}");
        }
        catch (Exception exception) when (exception is SocketException or IOException or ObjectDisposedException && !stopToken.IsCancellationRequested)
        {
            _log.Write(TransportLogLevel.Debug, $"peer connection from {_remote} broke: {exception.Message}");
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException or SocketException or ObjectDisposedException
            && stopToken.IsCancellationRequested)
        {
            // The transport is stopping: closing every connection is the intended outcome.
        }
        finally
        {
            _socket.Close();
        }
    }

    private async Task<NodeId> ReadHandshakeAsync(FrameReader reader, CancellationToken stopToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        timeout.CancelAfter(_settings.HandshakeTimeout);
        ReadOnlyMemory<byte>? frame;
        try
        {
            frame = await reader.ReadFrameAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopToken.IsCancellationRequested)
        {
            throw new TransportProtocolException($"no handshake within HandshakeTimeout = {_settings.HandshakeTimeout}");
        }

        var handshake = Handshake.Read(frame is { } payload ? payload.Span : throw new TransportProtocolException("connection closed before the handshake"));
        if (handshake.ProtocolVersion != Handshake.CurrentVersion)
        {
            throw new TransportProtocolException(
                $"node {handshake.Sender} speaks transport protocol version {handshake.ProtocolVersion}, this node speaks {Handshake.CurrentVersion}; run compatible Distate versions (version 2 sends snapshots in chunks: upgrade every node)");
        }

        if (handshake.ClusterId != _settings.ClusterId)
        {
            throw new TransportProtocolException(
                $"node {handshake.Sender} belongs to cluster {handshake.ClusterId:x16}, this node to cluster {_settings.ClusterId:x16}; check the cluster id and peer addresses in both nodes' configuration");
        }

        if (!handshake.Sender.IsSome || handshake.Sender == _settings.LocalId)
        {
            throw new TransportProtocolException($"handshake names sender {handshake.Sender}, which is none or this node itself; check node ids");
        }

        return handshake.Sender;
    }

    /// <summary>Reads frames until the peer closes; a snapshot still being reassembled when the connection ends is dropped with its buffer.</summary>
    private async Task ReadMessagesAsync(FrameReader reader, NodeId sender, CancellationToken stopToken)
    {
        var counters = _countersOf(sender);
        var snapshots = new SnapshotReassembly(sender, _settings.MaxSnapshotBytes);
        try
        {
            while (await reader.ReadFrameAsync(stopToken).ConfigureAwait(false) is { } frame)
            {
                counters.AddReceivedBytes(frame.Length + Frame.LengthPrefixBytes);
                if (Decode(frame, sender, snapshots, counters) is { } message)
                {
                    counters.AddReceivedMessage();
                    await _incoming.WriteAsync(message, stopToken).ConfigureAwait(false);
                }
            }

            _log.Write(TransportLogLevel.Debug, $"node {sender} at {_remote} closed its connection");
        }
        finally
        {
            if (snapshots.Abandon() is { } lost)
            {
                _log.Write(TransportLogLevel.Warning, $"connection from node {sender} at {_remote} ended with {lost}; dropped it (the leader sends it again)");
            }
        }
    }

    /// <summary>Decodes one frame by its kind: a message to deliver, or a snapshot chunk that delivers the snapshot when it is the last.</summary>
    private Message? Decode(ReadOnlyMemory<byte> frame, NodeId sender, SnapshotReassembly snapshots, PeerCounters counters)
    {
        if (frame.IsEmpty)
        {
            throw new TransportProtocolException("empty frame: every frame after the handshake opens with a frame kind");
        }

        switch ((FrameKind)frame.Span[0])
        {
            case FrameKind.Message:
                var message = RaftMessageCodec.Read(frame.Span[Frame.KindBytes..]);
                if (message.Type == MessageType.Snapshot)
                {
                    throw new TransportProtocolException($"node {sender} sent a Snapshot message in one message frame; transport protocol version {Handshake.CurrentVersion} carries snapshots only as chunk frames");
                }

                CheckAddressed(message, sender);
                return message;
            case FrameKind.SnapshotChunk:
                var chunk = SnapshotChunkCodec.Read(frame);
                if (chunk.Envelope is { } envelope)
                {
                    CheckAddressed(envelope, sender);
                }

                var complete = snapshots.Add(chunk);
                counters.AddSnapshotChunkReceived(chunk.Header.DataBytes);
                if (complete is not null)
                {
                    counters.AddSnapshotReceived();
                }

                return complete;
            default:
                throw new TransportProtocolException($"unknown frame kind {frame.Span[0]} from node {sender}; run compatible Distate versions");
        }
    }

    private void CheckAddressed(Message message, NodeId sender)
    {
        if (message.From != sender || message.To != _settings.LocalId)
        {
            throw new TransportProtocolException(
                $"message {message.From}->{message.To} arrived on the connection from node {sender} to node {_settings.LocalId}; a peer is misaddressed");
        }
    }
}
