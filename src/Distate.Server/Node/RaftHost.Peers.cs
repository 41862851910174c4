using System.Net;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Transport;

namespace Distate.Server.Node;

/// <summary>The peer side: the transport to the other members, fed into and out of the node loop.</summary>
public sealed partial class RaftHost
{
    private PeerTransport? _transport;
    private Task _incoming = Task.CompletedTask;

    /// <summary>Members' peer endpoints by id, from --initial-cluster.</summary>
    public static Dictionary<NodeId, IPEndPoint> PeerEndpoints(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var peers = new Dictionary<NodeId, IPEndPoint>();
        foreach (var (name, url) in options.InitialCluster)
        {
            if (name != options.Name)
            {
                peers[MemberIds.ForName(name)] = Resolve(url, "--initial-cluster");
            }
        }

        return peers;
    }

    /// <summary>Starts the transport when the cluster has other members (a lone member needs none).</summary>
    private void StartTransport()
    {
        var peers = PeerEndpoints(_options);
        if (peers.Count == 0)
        {
            return;
        }

        var settings = new TransportSettings
        {
            LocalId = Id,
            ClusterId = ClusterId,
            AdvertisedEndpoint = Resolve(_options.InitialAdvertisePeerUrls[0], "--initial-advertise-peer-urls"),
            ListenEndpoint = Resolve(_options.ListenPeerUrls[0], "--listen-peer-urls"),
        };
        _transport = new PeerTransport(settings, peers);
        _transport.PeerUnreachable += peer => _inputs.Writer.TryWrite(new NodeInput.Unreachable(peer));
        _transport.SnapshotSent += (peer, ok) => _inputs.Writer.TryWrite(new NodeInput.SnapshotStatus(peer, ok));
        _transport.Start();
        _incoming = Task.Run(PumpIncomingAsync, CancellationToken.None);
    }

    private async Task PumpIncomingAsync()
    {
        await foreach (var message in _transport!.Incoming.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            if (message.To == Id)
            {
                await _inputs.Writer.WriteAsync(new NodeInput.PeerMessage(message), _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task StopTransportAsync()
    {
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _incoming.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static IPEndPoint Resolve(Uri url, string flag)
    {
        if (IPAddress.TryParse(url.Host, out var address))
        {
            return new IPEndPoint(address, url.Port);
        }

        var addresses = Dns.GetHostAddresses(url.Host);
        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], url.Port)
            : throw new ArgumentException($"{flag}: cannot resolve host '{url.Host}'");
    }
}
