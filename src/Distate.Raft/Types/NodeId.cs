namespace Distate.Raft;

/// <summary>Identifies a member of the cluster; 0 means "nobody".</summary>
public readonly record struct NodeId(ulong Value) : IComparable<NodeId>
{
    /// <summary>No node: no leader known, no vote cast.</summary>
    public static readonly NodeId None = new(0);

    /// <summary>True when this names a real node.</summary>
    public bool IsSome => Value != 0;

    /// <inheritdoc />
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
