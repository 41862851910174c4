namespace Distate.Server.Api;

/// <summary>The client's request is malformed; the message says what is wrong (sent back as a 400).</summary>
public sealed class BadRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BadRequestException() { }

    /// <summary>Creates the exception with a message.</summary>
    public BadRequestException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public BadRequestException(string message, Exception inner) : base(message, inner) { }
}
