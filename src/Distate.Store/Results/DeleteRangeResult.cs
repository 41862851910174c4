namespace Distate.Store.Results;

/// <summary>The answer to a delete-range.</summary>
/// <param name="Revision">Header revision.</param>
/// <param name="Deleted">How many keys were deleted.</param>
/// <param name="PrevKvs">The deleted keys when prev_kv was asked, in key order; otherwise empty.</param>
public sealed record DeleteRangeResult(Revision Revision, long Deleted, IReadOnlyList<KeyValue> PrevKvs) : StoreResult(Revision);
