namespace Distate.Store.Commands;

/// <summary>Field a range result is sorted by (etcd RangeRequest.SortTarget).</summary>
public enum SortTarget
{
    /// <summary>The key bytes.</summary>
    Key = 0,

    /// <summary>The version.</summary>
    Version = 1,

    /// <summary>The create revision.</summary>
    Create = 2,

    /// <summary>The mod revision.</summary>
    Mod = 3,

    /// <summary>The value bytes.</summary>
    Value = 4,
}
