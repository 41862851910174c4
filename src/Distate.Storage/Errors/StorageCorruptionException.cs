namespace Distate.Storage;

/// <summary>
/// Recovery found damaged data inside acknowledged history (a bad checksum followed by valid records, or a snapshot
/// file that does not match its checksum): the store refuses to open rather than silently lose entries.
/// </summary>
public sealed class StorageCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageCorruptionException() : base("storage is corrupted") { }

    /// <summary>Creates the exception with a message.</summary>
    public StorageCorruptionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public StorageCorruptionException(string message, Exception inner) : base(message, inner) { }
}
