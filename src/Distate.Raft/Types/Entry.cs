namespace Distate.Raft;

/// <summary>One replicated log entry.</summary>
/// <param name="Index">Its position in the log.</param>
/// <param name="Term">The term of the leader that created it.</param>
/// <param name="Type">Application data or a membership change.</param>
/// <param name="Data">The payload; empty for the leader's no-op.</param>
public readonly record struct Entry(LogIndex Index, Term Term, EntryType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>Bytes this entry counts for against size limits (payload plus a fixed header).</summary>
    public int SizeBytes => Data.Length + HeaderBytes;

    /// <summary>Fixed per-entry overhead used in size accounting.</summary>
    public const int HeaderBytes = 24;

    /// <inheritdoc />
    public override string ToString() => $"{Term}/{Index}{(Type == EntryType.ConfChange ? " conf" : "")} len={Data.Length}";
}
