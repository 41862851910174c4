namespace Distate.Transport;

/// <summary>How much a transport log event matters to an operator.</summary>
public enum TransportLogLevel
{
    /// <summary>Routine detail: connections made and closed.</summary>
    Debug = 0,

    /// <summary>Expected operating trouble: a peer is down or a message was refused.</summary>
    Warning = 1,

    /// <summary>A peer broke the protocol or the transport failed unexpectedly.</summary>
    Error = 2,
}
