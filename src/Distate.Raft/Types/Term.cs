namespace Distate.Raft;

/// <summary>A Raft term: a logical epoch in which at most one leader exists.</summary>
public readonly record struct Term(ulong Value) : IComparable<Term>
{
    /// <summary>The term before any election.</summary>
    public static readonly Term Zero = new(0);

    /// <summary>The term after this one.</summary>
    public Term Next => new(Value + 1);

    /// <inheritdoc />
    public int CompareTo(Term other) => Value.CompareTo(other.Value);

    /// <summary>Orders terms.</summary>
    public static bool operator <(Term left, Term right) => left.Value < right.Value;

    /// <summary>Orders terms.</summary>
    public static bool operator >(Term left, Term right) => left.Value > right.Value;

    /// <summary>Orders terms.</summary>
    public static bool operator <=(Term left, Term right) => left.Value <= right.Value;

    /// <summary>Orders terms.</summary>
    public static bool operator >=(Term left, Term right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
