namespace Distate.Storage.Log;

/// <summary>A write waiting for durability: acknowledged once FasterLog's committed address reaches <see cref="EndAddress"/>.</summary>
/// <param name="EndAddress">The log tail just after the write's last record.</param>
/// <param name="Durable">Completed when durable, faulted when the storage failed.</param>
internal sealed record PendingWrite(long EndAddress, TaskCompletionSource Durable);
