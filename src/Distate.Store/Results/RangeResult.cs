namespace Distate.Store.Results;

/// <summary>The answer to a range read.</summary>
/// <param name="Revision">Header revision (the store's current revision, as etcd reports, even for historical reads).</param>
/// <param name="Kvs">The keys returned, after filters, sort and limit.</param>
/// <param name="More">True when the limit cut off keys that matched.</param>
/// <param name="Count">Number of keys in the range at the read revision, before filters and limit (etcd semantics).</param>
public sealed record RangeResult(Revision Revision, IReadOnlyList<KeyValue> Kvs, bool More, long Count) : StoreResult(Revision);
