using System.Collections.Immutable;
using System.Net;
using Distate.Node.Seams;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Transport;

namespace Distate.Server.Node;

/// <summary>The peer side: the transport to the other members, fed into and out of the node loop.</summary>
public sealed partial class RaftHost
{
    private PeerTransport? _transport;
    private Task _incoming = Task.CompletedTask;
    private volatile ImmutableHashSet<NodeId> _isolatedFrom = [];

    /// <summary>
    /// Fault injection for tests: drops every message to and from these peers at the transport boundary, in both
    /// directions, as a network partition would (the chaos suite cuts real links with iptables instead).
    /// </summary>
    public void IsolateFrom(IEnumerable<NodeId> peers) => _isolatedFrom = [.. peers];

    /// <summary>Ends <see cref="IsolateFrom"/>: every peer is reachable again.</summary>
    public void Heal() => _isolatedFrom = [];

    /// <summary>Members' peer endpoints by id, from --initial-cluster.</summary>
    public static Dictionary<NodeId, IPEndPoint> PeerEndpoints(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var peers = new Dictionary<NodeId, IPEndPoint>();
        foreach (var (name, url) in options.InitialCluster)
        {
            if (name != options.Name)
            {
                peers[MemberIds.ForPeerUrl(url)] = Resolve(url, "--initial-cluster");
            }
        }

        return peers;
    }

    /// <summary>Starts the transport (also for a lone member, so members can be added later).</summary>
    private void StartTransport()
    {
        var peers = PeerEndpoints(_options);
        var settings = new TransportSettings
        {
            LocalId = Id,
            ClusterId = ClusterId,
            AdvertisedEndpoint = Resolve(_options.InitialAdvertisePeerUrls[0], "--initial-advertise-peer-urls"),
            ListenEndpoint = Resolve(_options.ListenPeerUrls[0], "--listen-peer-urls"),
            MaxFrameBytes = Limits.MaxFrameBytes,
            MaxSnapshotBytes = Limits.MaxSnapshotBytes,
        };
        _transport = new PeerTransport(settings, peers);
        _transport.PeerUnreachable += _runtime.ReportUnreachable;
        _transport.SnapshotSent += _runtime.ReportSnapshot;
        _transport.Start();
        SyncPeers();
        _incoming = RunCritical("peer message pump", PumpIncomingAsync);
    }

    private async Task PumpIncomingAsync()
    {
        await foreach (var message in _transport!.Incoming.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            // A member with a full disk drops new entries and snapshots in the driver (NodeDriver.Deliver).
            if (message.To == Id && !_isolatedFrom.Contains(message.From))
            {
                await _runtime.DeliverAsync(message, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Where the driver sends messages: the transport, minus links a test cut (dropped silently, as a cut
    /// network would). Never waits; false (the peer is reported unreachable) when the transport could not queue it.</summary>
    private sealed class Outbox(RaftHost host) : IPeerOutbox
    {
        public bool TrySend(Message message) =>
            host._isolatedFrom.Contains(message.To) || (host._transport is { } transport && transport.TrySend(message));
    }

    /// <summary>Points the transport at every member in the directory and forgets removed ones (apply path).</summary>
    private void SyncPeers()
    {
        if (_transport is null)
        {
            return;
        }

        var members = Members.All;
        foreach (var member in members)
        {
            if (member.Id != Id && member.PeerUrls.Count > 0)
            {
                _transport.SetPeer(member.Id, Resolve(member.PeerUrls[0], "member peer URL"));
            }
        }

        foreach (var stale in _knownPeers.Where(peer => members.All(member => member.Id != peer)).ToArray())
        {
            _transport.RemovePeer(stale);
        }

        _knownPeers.Clear();
        _knownPeers.UnionWith(members.Select(member => member.Id).Where(id => id != Id));
    }

    private readonly HashSet<NodeId> _knownPeers = [];

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
