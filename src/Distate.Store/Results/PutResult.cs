namespace Distate.Store.Results;

/// <summary>The answer to a put.</summary>
/// <param name="Revision">Header revision.</param>
/// <param name="PrevKv">The key before the put when prev_kv was asked and the key existed.</param>
public sealed record PutResult(Revision Revision, KeyValue? PrevKv) : StoreResult(Revision);
