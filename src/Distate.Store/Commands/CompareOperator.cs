namespace Distate.Store.Commands;

/// <summary>How a txn compare relates the key's field to the operand (etcd Compare.CompareResult).</summary>
public enum CompareOperator
{
    /// <summary>Equal.</summary>
    Equal = 0,

    /// <summary>Field greater than operand.</summary>
    Greater = 1,

    /// <summary>Field less than operand.</summary>
    Less = 2,

    /// <summary>Not equal.</summary>
    NotEqual = 3,
}
