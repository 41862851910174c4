namespace Distate.Transport;

/// <summary>A point-in-time copy of one peer's counters, for metrics.</summary>
/// <param name="MessagesSent">Messages written to the peer's socket (a snapshot once all its chunks are written).</param>
/// <param name="BytesSent">Frame bytes (length prefixes included) written to the peer's socket, snapshot chunks included.</param>
/// <param name="MessagesReceived">Messages received from the peer and handed to the node (a snapshot once reassembled).</param>
/// <param name="BytesReceived">Frame bytes received from the peer, snapshot chunks included.</param>
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
    long ConnectFailures)
{
    /// <summary>Snapshot messages whose every chunk was written to the peer (each reported SnapshotSent true).</summary>
    public long SnapshotsSent { get; init; }

    /// <summary>Snapshot chunk frames written to the peer, including those of snapshots that later failed.</summary>
    public long SnapshotChunksSent { get; init; }

    /// <summary>Snapshot data bytes written to the peer in chunks (headers not counted).</summary>
    public long SnapshotBytesSent { get; init; }

    /// <summary>Snapshots received from the peer, reassembled and handed to the node.</summary>
    public long SnapshotsReceived { get; init; }

    /// <summary>Valid snapshot chunk frames received from the peer.</summary>
    public long SnapshotChunksReceived { get; init; }

    /// <summary>Snapshot data bytes received from the peer in valid chunks.</summary>
    public long SnapshotBytesReceived { get; init; }
}
