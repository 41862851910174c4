namespace Distate.Store;

/// <summary>A main revision of the store: the global counter every mutating command advances once.</summary>
/// <param name="Value">The revision number; the empty store is at revision 1, as in etcd.</param>
public readonly record struct Revision(long Value) : IComparable<Revision>
{
    /// <summary>"No revision": used for "latest" in requests and for absent create/mod revisions.</summary>
    public static readonly Revision None = new(0);

    /// <summary>Orders revisions numerically.</summary>
    public int CompareTo(Revision other) => Value.CompareTo(other.Value);

    /// <summary>True when the left revision is older.</summary>
    public static bool operator <(Revision left, Revision right) => left.Value < right.Value;

    /// <summary>True when the left revision is newer.</summary>
    public static bool operator >(Revision left, Revision right) => left.Value > right.Value;

    /// <summary>True when the left revision is older or equal.</summary>
    public static bool operator <=(Revision left, Revision right) => left.Value <= right.Value;

    /// <summary>True when the left revision is newer or equal.</summary>
    public static bool operator >=(Revision left, Revision right) => left.Value >= right.Value;

    /// <summary>Prints the bare number.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
