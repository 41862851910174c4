using Distate.Store;
using Distate.Store.Errors;

namespace Distate.Server.Rest;

/// <summary>Builds the REST API's errors and maps store refusals to an HTTP status and a stable code.</summary>
internal static class RestErrors
{
    /// <summary>A malformed request (400, code <c>bad_request</c>).</summary>
    public static RestRequestException BadRequest(string message) =>
        new(StatusCodes.Status400BadRequest, new RestError { Error = message, Code = "bad_request" });

    /// <summary>A request body over the value limit (413, code <c>too_large</c>).</summary>
    public static RestRequestException TooLarge(string message) =>
        new(StatusCodes.Status413PayloadTooLarge, new RestError { Error = message, Code = "too_large" });

    /// <summary>The key does not exist at the read revision (404, code <c>key_not_found</c>).</summary>
    public static RestRequestException KeyNotFound(ReadOnlySpan<byte> key, Revision revision) =>
        new(StatusCodes.Status404NotFound, new RestError
        {
            Error = $"key {RestKey.Display(key)} not found", Code = "key_not_found", Revision = revision.Value,
        });

    /// <summary>An If-Match / If-None-Match condition did not hold (412, code <c>precondition_failed</c>).</summary>
    public static RestRequestException PreconditionFailed(ReadOnlySpan<byte> key, RestPrecondition precondition, KeyValue? current, Revision revision)
    {
        long currentModRevision = current?.ModRevision.Value ?? 0;
        string message = precondition.Kind switch
        {
            RestPreconditionKind.Absent => $"key {RestKey.Display(key)} already exists (mod revision {currentModRevision}); If-None-Match: * writes only new keys",
            RestPreconditionKind.Exists => $"key {RestKey.Display(key)} does not exist; If-Match: * needs an existing key",
            _ => current is null
                ? $"key {RestKey.Display(key)} does not exist; If-Match expected mod revision {precondition.ModRevision.Value}"
                : $"key {RestKey.Display(key)} is at mod revision {currentModRevision}; If-Match expected {precondition.ModRevision.Value}",
        };
        return new RestRequestException(StatusCodes.Status412PreconditionFailed, new RestError
        {
            Error = message, Code = "precondition_failed", Revision = revision.Value, CurrentModRevision = currentModRevision,
        });
    }

    /// <summary>Maps a store refusal to a status and a body that names the numbers involved.</summary>
    public static RestRequestException FromStore(StoreError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        long current = error.Revision.Value;
        var (status, code, message) = error.Code switch
        {
            StoreErrorCode.Compacted => (StatusCodes.Status410Gone, "compacted",
                $"the requested revision has been compacted; the oldest readable revision is {error.CompactRevision.Value}"),
            StoreErrorCode.FutureRevision => (StatusCodes.Status400BadRequest, "future_revision",
                $"the requested revision is newer than the current revision {current}"),
            StoreErrorCode.EmptyKey => (StatusCodes.Status400BadRequest, "bad_request", "the key is empty; put it in the path after the prefix"),
            StoreErrorCode.RequestTooLarge => (StatusCodes.Status413PayloadTooLarge, "too_large", "the key or value is larger than the store accepts"),
            StoreErrorCode.LeaseNotFound => (StatusCodes.Status400BadRequest, "lease_not_found", "the lease does not exist (it expired or was revoked)"),
            StoreErrorCode.NoSpace => (StatusCodes.Status507InsufficientStorage, "no_space",
                $"{error.Message}: the space quota (--quota-backend-bytes) is used up and the NOSPACE alarm is raised; " +
                "delete keys or compact, then disarm the alarm (POST /v3/maintenance/alarm {\"action\":\"DEACTIVATE\",...})"),
            StoreErrorCode.TooManyWatchers => (StatusCodes.Status429TooManyRequests, "too_many_watchers", "the store has as many watchers as it allows"),
            _ => (StatusCodes.Status400BadRequest, "bad_request", error.Message),
        };
        return new RestRequestException(status, new RestError
        {
            Error = message, Code = code, Revision = current,
            CompactRevision = error.Code == StoreErrorCode.Compacted ? error.CompactRevision.Value : null,
        });
    }
}
