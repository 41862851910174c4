namespace Distate.Store.Errors;

/// <summary>Why the store refused a request; each maps to one etcd gRPC error (see <see cref="StoreError"/>).</summary>
public enum StoreErrorCode
{
    /// <summary>A request key was empty ("etcdserver: key is not provided").</summary>
    EmptyKey = 1,

    /// <summary>A key or value exceeded its size limit ("etcdserver: request is too large").</summary>
    RequestTooLarge,

    /// <summary>A txn had more operations than allowed.</summary>
    TooManyOps,

    /// <summary>A txn wrote the same key twice in one branch.</summary>
    DuplicateKey,

    /// <summary>The lease does not exist.</summary>
    LeaseNotFound,

    /// <summary>A client-chosen lease id is already in use.</summary>
    LeaseExists,

    /// <summary>The lease TTL is above the maximum.</summary>
    LeaseTtlTooLarge,

    /// <summary>The requested revision has been compacted away.</summary>
    Compacted,

    /// <summary>The requested revision is newer than the store.</summary>
    FutureRevision,

    /// <summary>The size quota would be exceeded.</summary>
    NoSpace,

    /// <summary>A put with ignore_value or ignore_lease named a key that does not exist.</summary>
    KeyNotFound,

    /// <summary>A put with ignore_value also carried a value.</summary>
    ValueProvided,

    /// <summary>A put with ignore_lease also carried a lease.</summary>
    LeaseProvided,

    /// <summary>A request field was out of range (for example a negative TTL or an unknown enum value).</summary>
    InvalidArgument,

    /// <summary>The watcher limit was reached.</summary>
    TooManyWatchers,
}
