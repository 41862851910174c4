using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Distate.Raft;
using Distate.Transport.Protocol;

namespace Distate.Transport.Connections;

/// <summary>One connection's lifetime: connect from the advertised address, handshake, then pump the queue.</summary>
internal sealed partial class PeerConnection
{
    /// <summary>
    /// Runs one connection until it breaks. Throws (so the pipeline backs off) when connecting fails or when the
    /// connection broke before <see cref="TransportSettings.StableConnectionTime"/>; returns (so the backoff restarts
    /// from its base delay) when a stable connection broke.
    /// </summary>
    private async ValueTask RunSessionAsync(CancellationToken stopToken)
    {
        using var socket = await ConnectAsync(stopToken).ConfigureAwait(false);
        _counters.AddConnect();
        _log.Write(TransportLogLevel.Debug, $"connected to node {_peer} at {Endpoint} from {socket.LocalEndPoint}");
        var started = Now;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        var watcher = WatchForCloseAsync(socket, session);
        Exception failure;
        try
        {
            await PumpAsync(socket, session.Token).ConfigureAwait(false);
            failure = new PeerConnectionLostException("the queue was completed");
        }
        catch (Exception exception) when (exception is SocketException or IOException or TimeoutException or OperationCanceledException && !stopToken.IsCancellationRequested)
        {
            failure = exception is OperationCanceledException ? new PeerConnectionLostException($"node {_peer} closed the connection") : exception;
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            socket.Close();
            await watcher.ConfigureAwait(false);
        }

        stopToken.ThrowIfCancellationRequested();
        if (Stopwatch.GetElapsedTime(started) < _settings.StableConnectionTime)
        {
            throw new PeerConnectionLostException($"connection to node {_peer} broke after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms: {failure.Message}", failure);
        }

        _counters.AddConnectFailure();
        _log.Write(TransportLogLevel.Warning, $"connection to node {_peer} at {Endpoint} broke ({failure.Message}); reconnecting");
        DropQueued("the connection broke");
        _onUnreachable(_peer);
    }

    /// <summary>Opens a socket bound to the advertised IP (so firewall rules by source address apply), connects and sends the handshake.</summary>
    private async Task<Socket> ConnectAsync(CancellationToken stopToken)
    {
        var socket = new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(_settings.AdvertisedEndpoint.Address, 0));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
            timeout.CancelAfter(_settings.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(Endpoint, timeout.Token).ConfigureAwait(false);
                var handshake = new Handshake(Handshake.CurrentVersion, _settings.LocalId, _settings.ClusterId).ToFrame();
                await socket.SendAsync(handshake, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no connection to node {_peer} at {Endpoint} within ConnectTimeout = {_settings.ConnectTimeout}");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The peer never writes on this connection, so a completed receive means it closed or reset: end the session.</summary>
    private static async Task WatchForCloseAsync(Socket socket, CancellationTokenSource session)
    {
        var probe = new byte[1];
        try
        {
            await socket.ReceiveAsync(probe, SocketFlags.None, session.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended (or the session is ending); either way the session is over, handled below.
        }

        await session.CancelAsync().ConfigureAwait(false);
    }
}
