namespace Distate.Server.Node;

/// <summary>This member refuses client writes for now (its disk is full); the message says why and what frees it.
/// Nothing was proposed. Reads still work.</summary>
public sealed class WritesRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WritesRefusedException() : base("writes are refused") { }

    /// <summary>Creates the exception with a message.</summary>
    public WritesRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public WritesRefusedException(string message, Exception inner) : base(message, inner) { }
}
