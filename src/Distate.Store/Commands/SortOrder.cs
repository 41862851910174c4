namespace Distate.Store.Commands;

/// <summary>Sort order of a range result (etcd RangeRequest.SortOrder).</summary>
public enum SortOrder
{
    /// <summary>No sorting: ascending key order.</summary>
    None = 0,

    /// <summary>Ascending by the sort target.</summary>
    Ascend = 1,

    /// <summary>Descending by the sort target.</summary>
    Descend = 2,
}
