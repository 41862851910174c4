namespace Distate.Transport;

/// <summary>Live, thread-safe counters of one peer; <see cref="Snapshot"/> copies them for metrics.</summary>
internal sealed class PeerCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;
    private long _messagesDropped;
    private long _connects;
    private long _connectFailures;
    private long _snapshotsSent;
    private long _snapshotChunksSent;
    private long _snapshotBytesSent;
    private long _snapshotsReceived;
    private long _snapshotChunksReceived;
    private long _snapshotBytesReceived;

    /// <summary>Counts whole messages written and frame bytes written (a snapshot's chunks count their bytes as they go, the message once complete).</summary>
    public void AddSent(int messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Counts frame bytes received (length prefix included).</summary>
    public void AddReceivedBytes(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    /// <summary>Counts one message handed to the node.</summary>
    public void AddReceivedMessage() => Interlocked.Increment(ref _messagesReceived);

    /// <summary>Counts dropped messages.</summary>
    public void AddDropped(int messages) => Interlocked.Add(ref _messagesDropped, messages);

    /// <summary>Counts an established outgoing connection.</summary>
    public void AddConnect() => Interlocked.Increment(ref _connects);

    /// <summary>Counts a failed or broken outgoing connection.</summary>
    public void AddConnectFailure() => Interlocked.Increment(ref _connectFailures);

    /// <summary>Counts one snapshot chunk written and the snapshot data it carried.</summary>
    public void AddSnapshotChunkSent(int dataBytes)
    {
        Interlocked.Increment(ref _snapshotChunksSent);
        Interlocked.Add(ref _snapshotBytesSent, dataBytes);
    }

    /// <summary>Counts a snapshot whose every chunk was written.</summary>
    public void AddSnapshotSent() => Interlocked.Increment(ref _snapshotsSent);

    /// <summary>Counts one valid snapshot chunk received and the snapshot data it carried.</summary>
    public void AddSnapshotChunkReceived(int dataBytes)
    {
        Interlocked.Increment(ref _snapshotChunksReceived);
        Interlocked.Add(ref _snapshotBytesReceived, dataBytes);
    }

    /// <summary>Counts a snapshot reassembled and handed to the node.</summary>
    public void AddSnapshotReceived() => Interlocked.Increment(ref _snapshotsReceived);

    /// <summary>Copies the counters.</summary>
    public PeerStats Snapshot() => new(
        Interlocked.Read(ref _messagesSent),
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _messagesReceived),
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _messagesDropped),
        Interlocked.Read(ref _connects),
        Interlocked.Read(ref _connectFailures))
    {
        SnapshotsSent = Interlocked.Read(ref _snapshotsSent),
        SnapshotChunksSent = Interlocked.Read(ref _snapshotChunksSent),
        SnapshotBytesSent = Interlocked.Read(ref _snapshotBytesSent),
        SnapshotsReceived = Interlocked.Read(ref _snapshotsReceived),
        SnapshotChunksReceived = Interlocked.Read(ref _snapshotChunksReceived),
        SnapshotBytesReceived = Interlocked.Read(ref _snapshotBytesReceived),
    };
}
