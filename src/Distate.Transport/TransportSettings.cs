using System.Net;
using Distate.Raft;

namespace Distate.Transport;

/// <summary>Identity and limits of one node's peer transport; every limit is a named setting checked by <see cref="Validate"/>.</summary>
public sealed record TransportSettings
{
    /// <summary>This node's id, sent in the handshake of every outgoing connection.</summary>
    public required NodeId LocalId { get; init; }

    /// <summary>Identifies the cluster; a peer presenting another id is refused, so two clusters never mix.</summary>
    public required ulong ClusterId { get; init; }

    /// <summary>The address peers use to reach this node; outgoing connections are bound to its IP so firewall rules by source address cut exactly the named link.</summary>
    public required IPEndPoint AdvertisedEndpoint { get; init; }

    /// <summary>Where this node accepts peer connections (port 0 picks a free port, see <see cref="PeerTransport.ListenEndpoint"/>).</summary>
    public required IPEndPoint ListenEndpoint { get; init; }

    /// <summary>Messages waiting to be written to one peer; beyond it <see cref="PeerTransport.TrySend"/> drops and returns false.</summary>
    public int MaxQueuedMessagesPerPeer { get; init; } = 4096;

    /// <summary>Received messages waiting for the node loop; when full, socket readers wait (backpressure on that peer only).</summary>
    public int MaxIncomingMessages { get; init; } = 4096;

    /// <summary>Largest encoded message in bytes, on send (refused and reported) and on receive (connection closed).</summary>
    public int MaxFrameBytes { get; init; } = 64 << 20;

    /// <summary>Frames gathered into one socket write; a single larger frame still goes alone.</summary>
    public int MaxBatchBytes { get; init; } = 1 << 20;

    /// <summary>Concurrent inbound connections accepted; more are closed at once.</summary>
    public int MaxInboundConnections { get; init; } = 64;

    /// <summary>First reconnect delay after a failed connection attempt (grows exponentially with jitter).</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest delay between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection that stayed up this long resets the reconnect backoff when it breaks.</summary>
    public TimeSpan StableConnectionTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for a TCP connect (a partition that drops SYNs would otherwise hang for minutes).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait for one batch to be written; a stuck peer's connection is then dropped and redialled.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for an inbound connection's handshake frame.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Require(LocalId.IsSome, nameof(LocalId), "must be non-zero");
        Require(ClusterId != 0, nameof(ClusterId), "must be non-zero (pick one id per cluster)");
        Require(AdvertisedEndpoint is not null, nameof(AdvertisedEndpoint), "must be set");
        Require(!AdvertisedEndpoint!.Address.Equals(IPAddress.Any) && !AdvertisedEndpoint.Address.Equals(IPAddress.IPv6Any),
            nameof(AdvertisedEndpoint), "must be a concrete address (outgoing connections bind to it), not 0.0.0.0 or ::");
        Require(ListenEndpoint is not null, nameof(ListenEndpoint), "must be set");
        Require(MaxQueuedMessagesPerPeer > 0, nameof(MaxQueuedMessagesPerPeer), "must be positive");
        Require(MaxIncomingMessages > 0, nameof(MaxIncomingMessages), "must be positive");
        Require(MaxFrameBytes is >= 1024 and <= 1 << 30, nameof(MaxFrameBytes), "must be in [1 KiB, 1 GiB]");
        Require(MaxBatchBytes > 0 && MaxBatchBytes <= MaxFrameBytes, nameof(MaxBatchBytes), "must be positive and at most MaxFrameBytes");
        Require(MaxInboundConnections > 0, nameof(MaxInboundConnections), "must be positive");
        Require(ReconnectBaseDelay > TimeSpan.Zero, nameof(ReconnectBaseDelay), "must be positive");
        Require(ReconnectMaxDelay >= ReconnectBaseDelay, nameof(ReconnectMaxDelay), "must be at least ReconnectBaseDelay");
        Require(StableConnectionTime > TimeSpan.Zero, nameof(StableConnectionTime), "must be positive");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Require(WriteTimeout > TimeSpan.Zero, nameof(WriteTimeout), "must be positive");
        Require(HandshakeTimeout > TimeSpan.Zero, nameof(HandshakeTimeout), "must be positive");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Transport setting {name} {problem}.", name);
        }
    }
}
