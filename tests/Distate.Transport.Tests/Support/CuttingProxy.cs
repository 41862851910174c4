using System.Net;
using System.Net.Sockets;
using Distate.Transport.Protocol;

namespace Distate.Transport.Tests.Support;

/// <summary>
/// A frame-by-frame TCP relay in front of a transport that cuts its first connection after relaying the handshake and
/// a given number of frames: the sender gets a reset (its pending writes fail), the receiver an orderly close between
/// two frames (so it sees a broken transfer, not a protocol error). Later connections are relayed whole. It accepts
/// with a small receive buffer, so a sender cannot push much beyond what was relayed before the cut.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _target;
    private readonly int _framesBeforeCut;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _relays = [];
    private Task _accepting = Task.CompletedTask;

    private CuttingProxy(IPEndPoint target, int framesBeforeCut)
    {
        _target = target;
        _framesBeforeCut = framesBeforeCut;
    }

    /// <summary>Where senders connect.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Completes once the first connection was cut.</summary>
    public Task Cut => _cut.Task;

    /// <summary>Starts relaying to <paramref name="target"/>.</summary>
    public static CuttingProxy Start(IPEndPoint target, int framesBeforeCut)
    {
        var proxy = new CuttingProxy(target, framesBeforeCut);
        proxy._listener.ReceiveBufferSize = 64 * 1024;
        proxy._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        proxy._listener.Listen();
        proxy._accepting = proxy.AcceptAsync();
        return proxy;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _accepting;
        await Task.WhenAll(_relays);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _relays.Add(RelayAsync(client, first ? _framesBeforeCut : int.MaxValue));
            first = false;
        }
    }

    private async Task RelayAsync(Socket client, int framesBeforeCut)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            for (var frames = -1; frames < framesBeforeCut; frames++) // -1: the handshake
            {
                if (await RawFrames.ReadFrameAsync(client, _stop.Token, allowTruncated: true) is not { } payload)
                {
                    break;
                }

                await server.SendAsync(WithPrefix(payload), SocketFlags.None, _stop.Token);
            }

            client.LingerState = new LingerOption(true, 0); // close with a reset
            server.Shutdown(SocketShutdown.Send);
            _cut.TrySetResult();
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy is stopping or a side went away: the relay ends either way.
        }
        finally
        {
            client.Close();
        }
    }

    private static byte[] WithPrefix(byte[] payload)
    {
        var frame = new byte[Frame.LengthPrefixBytes + payload.Length];
        Frame.WriteLength(payload.Length, frame);
        payload.CopyTo(frame, Frame.LengthPrefixBytes);
        return frame;
    }
}
