using System.Net;
using System.Net.Sockets;
using Distate.Raft;

namespace Distate.Transport.Tests.Support;

/// <summary>Starts transports on loopback addresses (127.0.0.x are distinct node addresses on Linux) and awaits messages with deadlines.</summary>
internal static class Loopback
{
    /// <summary>Deadline for anything a test waits for.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>The loopback address of a node: 127.0.0.{id}.</summary>
    public static IPAddress AddressOf(ulong id) => IPAddress.Parse($"127.0.0.{id}");

    /// <summary>Starts a transport for node <paramref name="id"/> on 127.0.0.{id} (port 0 unless given) with fast reconnects.</summary>
    public static PeerTransport Start(ulong id, ulong clusterId = 7, int port = 0, ITransportLog? log = null, Func<TransportSettings, TransportSettings>? adjust = null)
    {
        var settings = new TransportSettings
        {
            LocalId = new NodeId(id),
            ClusterId = clusterId,
            AdvertisedEndpoint = new IPEndPoint(AddressOf(id), port),
            ListenEndpoint = new IPEndPoint(AddressOf(id), port),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        var transport = new PeerTransport(adjust is null ? settings : adjust(settings), log: log);
        transport.Start();
        return transport;
    }

    /// <summary>Makes every transport know every other one.</summary>
    public static void Connect(params PeerTransport[] transports)
    {
        foreach (var from in transports)
        {
            foreach (var to in transports)
            {
                if (from != to)
                {
                    from.SetPeer(to.Settings.LocalId, to.ListenEndpoint!);
                }
            }
        }
    }

    /// <summary>A port on the address with nothing listening (bound, read, released).</summary>
    public static IPEndPoint FreeEndpoint(IPAddress address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Receives the next message, failing the test when none arrives before the deadline.</summary>
    public static async Task<Message> ReceiveAsync(PeerTransport transport)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        return await transport.Incoming.ReadAsync(timeout.Token);
    }

    /// <summary>Sends heartbeats (bounded by count and deadline) until one arrives; returns how many were tried.</summary>
    public static async Task<int> SendUntilReceivedAsync(PeerTransport from, PeerTransport to)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        for (var attempt = 1; attempt <= 1000; attempt++)
        {
            from.TrySend(Samples.Heartbeat(from.Settings.LocalId.Value, to.Settings.LocalId.Value, (ulong)attempt));
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            poll.CancelAfter(TimeSpan.FromMilliseconds(50));
            try
            {
                await to.Incoming.WaitToReadAsync(poll.Token);
                Assert.True(to.Incoming.TryRead(out var message));
                Assert.Equal(MessageType.Heartbeat, message.Type);
                return attempt;
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
                // Not there yet (connection still being re-established): send another one.
            }
        }

        throw new TimeoutException("no message got through within the deadline");
    }
}
