namespace Distate.Server.Api;

/// <summary>
/// One whole message of a request stream (/v3/watch, /v3/lease/keepalive) whose content is refused — text that is not
/// Unicode, a duplicate field, nesting too deep — while the stream around it is well formed: the reader has already moved
/// past it, so a stream can answer this message alone and read on. Outside a stream it is a bad request like any other.
/// </summary>
public sealed class InvalidMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidMessageException() { }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidMessageException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public InvalidMessageException(string message, Exception inner) : base(message, inner) { }
}
