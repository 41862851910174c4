namespace Distate.Store.Results;

/// <summary>The answer to HashKV: a CRC-32C over every stored key version up to <paramref name="HashRevision"/>.</summary>
/// <param name="Revision">Header revision.</param>
/// <param name="Hash">The CRC-32C.</param>
/// <param name="CompactRevision">The compact revision when hashed.</param>
/// <param name="HashRevision">The revision hashed up to (inclusive).</param>
public sealed record HashKvResult(Revision Revision, uint Hash, Revision CompactRevision, Revision HashRevision) : StoreResult(Revision);
