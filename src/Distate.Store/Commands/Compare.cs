namespace Distate.Store.Commands;

/// <summary>One txn guard (etcd Compare): holds when every key in [Key, RangeEnd) satisfies it; an absent key compares as zeros and fails value compares.</summary>
public sealed record Compare
{
    /// <summary>The key, or first key of the range.</summary>
    public required byte[] Key { get; init; }

    /// <summary>Exclusive range end; empty for one key.</summary>
    public byte[] RangeEnd { get; init; } = [];

    /// <summary>The field compared.</summary>
    public CompareTarget Target { get; init; }

    /// <summary>The relation required.</summary>
    public CompareOperator Operator { get; init; }

    /// <summary>The operand for version, create, mod and lease targets.</summary>
    public long Number { get; init; }

    /// <summary>The operand for the value target.</summary>
    public byte[] Value { get; init; } = [];
}
