using Distate.Store.Commands;

namespace Distate.Store.Mvcc;

/// <summary>Comparers for sorted range results; ties are broken by ascending key so the order is total and deterministic.</summary>
internal static class VersionSorter
{
    /// <summary>The comparer for a target and order.</summary>
    public static Comparison<KeyVersion> For(SortTarget target, SortOrder order)
    {
        int sign = order == SortOrder.Descend ? -1 : 1;
        return target switch
        {
            SortTarget.Key => (a, b) => sign * ByKey(a, b),
            SortTarget.Version => (a, b) => Tie(sign * a.Version.CompareTo(b.Version), a, b),
            SortTarget.Create => (a, b) => Tie(sign * a.CreateRevision.CompareTo(b.CreateRevision), a, b),
            SortTarget.Mod => (a, b) => Tie(sign * a.ModMain.CompareTo(b.ModMain), a, b),
            SortTarget.Value => (a, b) => Tie(sign * a.Value.AsSpan().SequenceCompareTo(b.Value), a, b),
            _ => throw new InvariantViolationException($"sort target {target} passed validation"),
        };
    }

    private static int ByKey(KeyVersion a, KeyVersion b) => a.Owner.Key.AsSpan().SequenceCompareTo(b.Owner.Key);

    private static int Tie(int primary, KeyVersion a, KeyVersion b) => primary != 0 ? primary : ByKey(a, b);
}
