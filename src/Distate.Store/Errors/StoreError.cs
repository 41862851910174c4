using Distate.Store.Results;

namespace Distate.Store.Errors;

/// <summary>A refused request: a typed code plus etcd's gRPC error string, so an HTTP layer can map it to etcd's JSON error.</summary>
/// <param name="Revision">The store revision when the request was refused.</param>
/// <param name="Code">Why the request was refused.</param>
/// <param name="Message">The etcd-compatible message.</param>
/// <param name="CompactRevision">For <see cref="StoreErrorCode.Compacted"/>, the current compact revision; otherwise none.</param>
public sealed record StoreError(Revision Revision, StoreErrorCode Code, string Message, Revision CompactRevision) : StoreResult(Revision)
{
    /// <summary>Creates an error with etcd's standard message for the code.</summary>
    public static StoreError Create(Revision revision, StoreErrorCode code, Revision compactRevision = default) =>
        new(revision, code, MessageFor(code), compactRevision);

    /// <summary>The etcd v3 gRPC error string for a code (checked against etcd 3.4).</summary>
    public static string MessageFor(StoreErrorCode code) => code switch
    {
        StoreErrorCode.EmptyKey => "etcdserver: key is not provided",
        StoreErrorCode.RequestTooLarge => "etcdserver: request is too large",
        StoreErrorCode.TooManyOps => "etcdserver: too many operations in txn request",
        StoreErrorCode.DuplicateKey => "etcdserver: duplicate key given in txn request",
        StoreErrorCode.LeaseNotFound => "etcdserver: requested lease not found",
        StoreErrorCode.LeaseExists => "etcdserver: lease already exists",
        StoreErrorCode.LeaseTtlTooLarge => "etcdserver: too large lease TTL",
        StoreErrorCode.Compacted => "etcdserver: mvcc: required revision has been compacted",
        StoreErrorCode.FutureRevision => "etcdserver: mvcc: required revision is a future revision",
        StoreErrorCode.NoSpace => "etcdserver: mvcc: database space exceeded",
        StoreErrorCode.KeyNotFound => "etcdserver: key not found",
        StoreErrorCode.ValueProvided => "etcdserver: value is provided",
        StoreErrorCode.LeaseProvided => "etcdserver: lease is provided",
        StoreErrorCode.InvalidArgument => "etcdserver: invalid argument",
        StoreErrorCode.TooManyWatchers => "etcdserver: too many watchers",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "unknown store error code"),
    };
}
