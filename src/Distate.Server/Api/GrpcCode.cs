namespace Distate.Server.Api;

/// <summary>The gRPC status codes etcd's error shape carries in <c>"code"</c> (each maps to an HTTP status as etcd's gateway
/// maps it); written in one place for the gateway and for <see cref="Http.ApiErrorWriter"/>.</summary>
internal static class GrpcCode
{
    /// <summary>INVALID_ARGUMENT: a malformed request (400).</summary>
    public const int InvalidArgument = 3;

    /// <summary>DEADLINE_EXCEEDED (504; a slow client body is answered 408 with it).</summary>
    public const int DeadlineExceeded = 4;

    /// <summary>NOT_FOUND (404).</summary>
    public const int NotFound = 5;

    /// <summary>RESOURCE_EXHAUSTED (429).</summary>
    public const int ResourceExhausted = 8;

    /// <summary>FAILED_PRECONDITION (412).</summary>
    public const int FailedPrecondition = 9;

    /// <summary>OUT_OF_RANGE: a compacted or future revision (400).</summary>
    public const int OutOfRange = 11;

    /// <summary>UNIMPLEMENTED: a method the path does not serve (405).</summary>
    public const int Unimplemented = 12;

    /// <summary>INTERNAL: a bug (500).</summary>
    public const int Internal = 13;

    /// <summary>UNAVAILABLE: no leader or quorum (503).</summary>
    public const int Unavailable = 14;
}
