namespace Distate.Transport;

/// <summary>
/// An outgoing peer connection broke (closed by the peer, write failed or timed out) before it had been stable long
/// enough to reset the reconnect backoff; the writer retries with a growing delay.
/// </summary>
public sealed class PeerConnectionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerConnectionLostException() : base("peer connection lost") { }

    /// <summary>Creates the exception with a message.</summary>
    public PeerConnectionLostException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PeerConnectionLostException(string message, Exception inner) : base(message, inner) { }
}
