using System.Collections.Concurrent;
using System.Net.Sockets;
using Distate.Transport.Connections;

namespace Distate.Transport;

/// <summary>Accepting peers and shutting down.</summary>
public sealed partial class PeerTransport
{
    private readonly ConcurrentDictionary<InboundConnection, Task> _inbound = new();

    /// <summary>Stops accepting, closes every connection, waits for every transport task and completes <see cref="Incoming"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Close();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var id in _peers.Keys)
        {
            RemovePeer(id);
        }

        List<Task> tasks = [.. _retiring];
        foreach (var (connection, task) in _inbound)
        {
            connection.Close();
            tasks.Add(task);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        _incoming.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopToken)
    {
        while (!stopToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException && stopToken.IsCancellationRequested)
            {
                return; // Disposing closed the listener: the loop ends here.
            }
            catch (SocketException exception)
            {
                _log.Write(TransportLogLevel.Error, $"accepting a peer connection on {ListenEndpoint} failed: {exception.Message}", exception);
                await Task.Delay(_settings.ReconnectBaseDelay, stopToken).ConfigureAwait(false);
                continue;
            }

            Accept(socket, stopToken);
        }
    }

    private void Accept(Socket socket, CancellationToken stopToken)
    {
        if (_inbound.Count >= _settings.MaxInboundConnections)
        {
            Interlocked.Increment(ref _inboundRefused);
            _log.Write(TransportLogLevel.Warning,
                $"refused peer connection from {socket.RemoteEndPoint}: MaxInboundConnections = {_settings.MaxInboundConnections} are open");
            socket.Dispose();
            return;
        }

        socket.NoDelay = true;
        var connection = new InboundConnection(socket, _settings, _log, _incoming.Writer, CountersOf, () => Interlocked.Increment(ref _protocolErrors));
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbound[connection] = RunInboundAsync(connection, registered.Task, stopToken);
        registered.SetResult();
    }

    /// <summary>Runs a connection once it is registered, so its removal can never precede its registration.</summary>
    private async Task RunInboundAsync(InboundConnection connection, Task registered, CancellationToken stopToken)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync(stopToken).ConfigureAwait(false);
        }
        finally
        {
            _inbound.TryRemove(connection, out _);
        }
    }
}
