namespace Distate.Raft;

/// <summary>
/// Read access to what the host has persisted: the core reads the stable log through this, and never writes it.
/// The host writes (append, snapshot, compact) between <c>GetReady</c> and <c>Advance</c>.
/// </summary>
/// <remarks>
/// Invariant: FirstIndex - 1 ≤ the latest snapshot's index (entries may be kept behind a snapshot);
/// TermAt(FirstIndex - 1) answers.
/// Entries in [FirstIndex, LastIndex] are contiguous.
/// </remarks>
public interface IRaftLogStorage
{
    /// <summary>The persisted hard state and the membership as of the latest snapshot.</summary>
    (HardState HardState, ConfState ConfState) InitialState();

    /// <summary>
    /// Entries in [low, high), at least one entry if any is in range, and no more than maxBytes beyond the first.
    /// Throws <see cref="LogCompactedException"/> if low is before FirstIndex, <see cref="LogUnavailableException"/>
    /// if high is beyond LastIndex + 1.
    /// </summary>
    IReadOnlyList<Entry> Entries(LogIndex low, LogIndex high, long maxBytes);

    /// <summary>
    /// The term of the entry at index, for index in [FirstIndex - 1, LastIndex].
    /// Throws <see cref="LogCompactedException"/> below that range and <see cref="LogUnavailableException"/> above it.
    /// </summary>
    Term TermAt(LogIndex index);

    /// <summary>The first index still held in the log (snapshot index + 1).</summary>
    LogIndex FirstIndex();

    /// <summary>The last persisted index (the snapshot index when the log is empty).</summary>
    LogIndex LastIndex();

    /// <summary>The most recent snapshot (may be <see cref="Snapshot.Empty"/>).</summary>
    Snapshot LatestSnapshot();
}

/// <summary>The requested index was compacted into a snapshot.</summary>
public sealed class LogCompactedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogCompactedException() : base("requested index is compacted into a snapshot") { }

    /// <summary>Creates the exception with a message.</summary>
    public LogCompactedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LogCompactedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The requested index is beyond the end of the log.</summary>
public sealed class LogUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogUnavailableException() : base("requested index is beyond the last index") { }

    /// <summary>Creates the exception with a message.</summary>
    public LogUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LogUnavailableException(string message, Exception inner) : base(message, inner) { }
}
