using Distate.Raft;

namespace Distate.Transport;

/// <summary>A point-in-time copy of the transport's counters, for metrics.</summary>
/// <param name="Peers">Counters per peer (outgoing by destination, incoming by handshake sender).</param>
/// <param name="ProtocolErrors">Inbound connections closed because the peer broke the protocol (bad frame, oversize, wrong cluster or version).</param>
/// <param name="InboundConnectionsRefused">Inbound connections closed at once because MaxInboundConnections were open.</param>
public readonly record struct TransportStats(
    IReadOnlyDictionary<NodeId, PeerStats> Peers,
    long ProtocolErrors,
    long InboundConnectionsRefused);
