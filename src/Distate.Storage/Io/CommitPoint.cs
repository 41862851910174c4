namespace Distate.Storage.Io;

/// <summary>
/// One FASTER commit (a metadata blob or a fast-commit record in the log): its number and the log range it makes
/// durable. Invariant: BeginAddress ≤ UntilAddress.
/// </summary>
internal readonly record struct CommitPoint(long CommitNum, long BeginAddress, long UntilAddress);
