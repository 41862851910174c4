namespace Distate.Transport;

/// <summary>
/// Bytes from a peer do not follow the transport protocol (truncated or malformed frame, unknown version, wrong
/// cluster): the connection that carried them is closed and the reason logged; check that both nodes run compatible
/// Distate versions and share the same cluster id.
/// </summary>
public sealed class TransportProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransportProtocolException() : base("transport protocol violation") { }

    /// <summary>Creates the exception with a message.</summary>
    public TransportProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public TransportProtocolException(string message, Exception inner) : base(message, inner) { }
}
