namespace Distate.Storage;

/// <summary>
/// The storage could not persist a write (disk full, permission denied, I/O error) or was already failed by an
/// earlier one: nothing further is acknowledged; the node must stop and an operator must fix the disk and restart.
/// </summary>
public sealed class StorageFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageFailedException() : base("storage failed") { }

    /// <summary>Creates the exception with a message.</summary>
    public StorageFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public StorageFailedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>True when the write failed because the disk is full (ENOSPC, or almost no space left on the log's
    /// file system): the data on disk is intact, and a host may reopen the storage and go on once space is freed.</summary>
    public bool IsDiskFull { get; init; }
}
