namespace Distate.Transport;

/// <summary>A point-in-time copy of one peer's counters, for metrics.</summary>
/// <param name="MessagesSent">Messages written to the peer's socket.</param>
/// <param name="BytesSent">Frame bytes (length prefixes included) written to the peer's socket.</param>
/// <param name="MessagesReceived">Messages received from the peer and handed to the node.</param>
/// <param name="BytesReceived">Frame bytes received from the peer.</param>
/// <param name="MessagesDropped">Messages to the peer dropped: queue full, oversize, peer unknown, or lost with a broken connection.</param>
/// <param name="Connects">Outgoing connections established to the peer.</param>
/// <param name="ConnectFailures">Outgoing connections that failed or broke.</param>
public readonly record struct PeerStats(
    long MessagesSent,
    long BytesSent,
    long MessagesReceived,
    long BytesReceived,
    long MessagesDropped,
    long Connects,
    long ConnectFailures);
