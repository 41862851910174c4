namespace Distate.Storage.Log;

/// <summary>What replaying the log produced: the image, whether any record was found, and torn tail records to discard.</summary>
/// <param name="Image">The rebuilt in-memory image.</param>
/// <param name="RecordCount">Valid records scanned.</param>
/// <param name="TornTail">Addresses of damaged records after the last valid one (a torn tail), to be marked discarded.</param>
internal sealed record RecoveryResult(InMemoryLog Image, int RecordCount, IReadOnlyList<long> TornTail);
