namespace Distate.Raft;

/// <summary>A position in the replicated log; the first real entry has index 1, index 0 is "before the log".</summary>
public readonly record struct LogIndex(ulong Value) : IComparable<LogIndex>
{
    /// <summary>The position before the first entry.</summary>
    public static readonly LogIndex Zero = new(0);

    /// <summary>The index after this one.</summary>
    public LogIndex Next => new(Value + 1);

    /// <summary>The index before this one; Zero stays Zero.</summary>
    public LogIndex Previous => Value == 0 ? this : new(Value - 1);

    /// <inheritdoc />
    public int CompareTo(LogIndex other) => Value.CompareTo(other.Value);

    /// <summary>Moves an index forward by a count of entries.</summary>
    public static LogIndex operator +(LogIndex index, ulong count) => new(index.Value + count);

    /// <summary>Moves an index back by a count of entries.</summary>
    public static LogIndex operator -(LogIndex index, ulong count) => new(index.Value - count);

    /// <summary>The number of entries between two indexes.</summary>
    public static ulong operator -(LogIndex left, LogIndex right) => left.Value - right.Value;

    /// <summary>Orders indexes.</summary>
    public static bool operator <(LogIndex left, LogIndex right) => left.Value < right.Value;

    /// <summary>Orders indexes.</summary>
    public static bool operator >(LogIndex left, LogIndex right) => left.Value > right.Value;

    /// <summary>Orders indexes.</summary>
    public static bool operator <=(LogIndex left, LogIndex right) => left.Value <= right.Value;

    /// <summary>Orders indexes.</summary>
    public static bool operator >=(LogIndex left, LogIndex right) => left.Value >= right.Value;

    /// <summary>The smaller of two indexes.</summary>
    public static LogIndex Min(LogIndex a, LogIndex b) => a.Value <= b.Value ? a : b;

    /// <summary>The larger of two indexes.</summary>
    public static LogIndex Max(LogIndex a, LogIndex b) => a.Value >= b.Value ? a : b;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
