namespace Distate.Store.Results;

/// <summary>The answer to a lease checkpoint.</summary>
/// <param name="Revision">Header revision (unchanged).</param>
/// <param name="Updated">How many leases of the checkpoint existed and were updated; unknown ids are ignored as in etcd.</param>
public sealed record LeaseCheckpointResult(Revision Revision, int Updated) : StoreResult(Revision);
