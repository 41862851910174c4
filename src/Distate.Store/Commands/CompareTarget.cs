namespace Distate.Store.Commands;

/// <summary>Which field of a key a txn compare looks at (etcd Compare.CompareTarget).</summary>
public enum CompareTarget
{
    /// <summary>The version.</summary>
    Version = 0,

    /// <summary>The create revision.</summary>
    Create = 1,

    /// <summary>The mod revision.</summary>
    Mod = 2,

    /// <summary>The value bytes.</summary>
    Value = 3,

    /// <summary>The attached lease id.</summary>
    Lease = 4,
}
