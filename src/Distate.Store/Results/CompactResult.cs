namespace Distate.Store.Results;

/// <summary>The answer to a compaction.</summary>
/// <param name="Revision">Header revision (compaction does not advance it).</param>
public sealed record CompactResult(Revision Revision) : StoreResult(Revision);
