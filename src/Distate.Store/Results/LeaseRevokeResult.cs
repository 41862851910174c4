namespace Distate.Store.Results;

/// <summary>The answer to a lease revoke.</summary>
/// <param name="Revision">Header revision (advanced once when attached keys were deleted).</param>
/// <param name="DeletedKeys">How many attached keys were deleted.</param>
public sealed record LeaseRevokeResult(Revision Revision, long DeletedKeys) : StoreResult(Revision);
