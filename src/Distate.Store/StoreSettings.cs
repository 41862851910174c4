namespace Distate.Store;

/// <summary>Every limit of the store as a named setting; <see cref="Validate"/> runs at construction.</summary>
public sealed record StoreSettings
{
    /// <summary>Largest key accepted, in bytes.</summary>
    public int MaxKeyBytes { get; init; } = 32 * 1024;

    /// <summary>Largest value accepted, in bytes (etcd's default request limit, 1.5 MiB).</summary>
    public int MaxValueBytes { get; init; } = 1536 * 1024;

    /// <summary>Most operations (compares, or ops in one branch) in a txn, shared with nested txns as etcd does.</summary>
    public int MaxTxnOps { get; init; } = 128;

    /// <summary>Total accounted size of all stored key versions and leases; writes beyond it fail with "no space".</summary>
    public long QuotaBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Bytes charged per stored key version on top of key and value bytes, approximating index and metadata.</summary>
    public int VersionOverheadBytes { get; init; } = 64;

    /// <summary>Bytes charged per lease against the quota.</summary>
    public int LeaseOverheadBytes { get; init; } = 64;

    /// <summary>Smallest lease TTL; shorter grants are raised to it (etcd derives 2 s from its election timeout).</summary>
    public long MinLeaseTtlSeconds { get; init; } = 2;

    /// <summary>Largest lease TTL accepted (etcd's MaxLeaseTTL).</summary>
    public long MaxLeaseTtlSeconds { get; init; } = 9_000_000_000;

    /// <summary>Most watchers registered at once on one store.</summary>
    public int MaxWatchers { get; init; } = 100_000;

    /// <summary>Responses buffered per watcher before it is switched to catching up from history.</summary>
    public int WatcherBufferResponses { get; init; } = 128;

    /// <summary>History entries one catch-up step may scan under the read lock before yielding to apply.</summary>
    public int MaxCatchUpScanEntries { get; init; } = 10_000;

    /// <summary>Checks every limit is positive and consistent; throws <see cref="ArgumentOutOfRangeException"/> otherwise.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeyBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTxnOps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(QuotaBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(VersionOverheadBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseOverheadBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinLeaseTtlSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLeaseTtlSeconds, MinLeaseTtlSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWatchers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WatcherBufferResponses, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCatchUpScanEntries, 1);
    }
}
