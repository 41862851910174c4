namespace Distate.Transport;

/// <summary>Where the transport reports what happened; the server adapts it to its logging, tests record it.</summary>
public interface ITransportLog
{
    /// <summary>Records one event; called from transport tasks, so it must be thread-safe and must not block.</summary>
    void Write(TransportLogLevel level, string message, Exception? exception = null);
}
