namespace Distate.Store.Mvcc;

/// <summary>Orders key records by ordinal (unsigned byte) comparison of their keys.</summary>
internal sealed class KeyRecordComparer : IComparer<KeyRecord>
{
    /// <summary>The shared instance.</summary>
    public static readonly KeyRecordComparer Instance = new();

    /// <summary>Compares two records by key.</summary>
    public int Compare(KeyRecord? x, KeyRecord? y)
    {
        Invariant.Check(x is not null && y is not null, "records are never null");
        return x.Key.AsSpan().SequenceCompareTo(y.Key);
    }
}
