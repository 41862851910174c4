namespace Distate.Transport;

/// <summary>A log that discards everything, for benchmarks and callers that do not care.</summary>
public sealed class NullTransportLog : ITransportLog
{
    /// <summary>The shared instance.</summary>
    public static readonly NullTransportLog Instance = new();

    /// <summary>Discards the event.</summary>
    public void Write(TransportLogLevel level, string message, Exception? exception = null)
    {
    }
}
