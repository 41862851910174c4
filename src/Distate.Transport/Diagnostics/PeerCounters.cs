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

    /// <summary>Counts one written batch.</summary>
    public void AddSent(int messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Counts one received frame.</summary>
    public void AddReceived(long bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    /// <summary>Counts dropped messages.</summary>
    public void AddDropped(int messages) => Interlocked.Add(ref _messagesDropped, messages);

    /// <summary>Counts an established outgoing connection.</summary>
    public void AddConnect() => Interlocked.Increment(ref _connects);

    /// <summary>Counts a failed or broken outgoing connection.</summary>
    public void AddConnectFailure() => Interlocked.Increment(ref _connectFailures);

    /// <summary>Copies the counters.</summary>
    public PeerStats Snapshot() => new(
        Interlocked.Read(ref _messagesSent),
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _messagesReceived),
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _messagesDropped),
        Interlocked.Read(ref _connects),
        Interlocked.Read(ref _connectFailures));
}
