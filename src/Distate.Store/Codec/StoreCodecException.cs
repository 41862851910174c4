namespace Distate.Store.Codec;

/// <summary>Thrown when encoded bytes (a command or a snapshot) are malformed, truncated, of an unknown version, or fail their checksum.</summary>
public sealed class StoreCodecException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreCodecException() { }

    /// <summary>Creates the exception with a message.</summary>
    public StoreCodecException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public StoreCodecException(string message, Exception inner) : base(message, inner) { }
}
