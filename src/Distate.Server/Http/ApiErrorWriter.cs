using System.Text.Json;
using Distate.Server.Api;
using Distate.Server.Rest;

namespace Distate.Server.Http;

/// <summary>
/// The one place an error answer is written, in the shape of the API its path belongs to: under <c>/v1</c> the REST
/// shape <c>{"error","code":"&lt;string code&gt;",...}</c> (docs/rest-api.md), anywhere else etcd's gateway shape
/// <c>{"error","code":&lt;gRPC code&gt;,"message"}</c> (docs/gateway.md). The APIs' own handlers call the shape they know;
/// errors raised outside them (no route, wrong method, a body that broke, a follower with no leader to forward to) use
/// <see cref="WriteAsync"/>, which picks the shape from the path.
/// </summary>
internal static class ApiErrorWriter
{
    /// <summary>The path prefix of the REST API.</summary>
    public const string RestPrefix = "/v1";

    private const string Json = "application/json";

    /// <summary>True when <paramref name="context"/>'s path belongs to the REST API.</summary>
    public static bool IsRest(HttpContext context) => context.Request.Path.StartsWithSegments(RestPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes an error with <paramref name="status"/> in the shape the path calls for (code derived from the status).</summary>
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsRest(context)
            ? WriteRestAsync(context, status, new RestError { Error = message, Code = RestCodeFor(status) })
            : WriteEtcdAsync(context, status, GrpcCodeFor(status), message);
    }

    /// <summary>Answers 503 + Retry-After: 1 (no leader, no quorum, leader unreachable) in the shape the path calls for;
    /// the etcd shape prefixes etcd's "etcdserver: ".</summary>
    public static Task WriteUnavailableAsync(HttpContext context, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, IsRest(context) ? message : "etcdserver: " + message);
    }

    /// <summary>Writes etcd's <c>{"error","code","message"}</c> with an explicit HTTP status.</summary>
    public static async Task WriteEtcdAsync(HttpContext context, int status, int grpcCode, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        Prepare(context, status);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, EtcdJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteNumber("code", grpcCode);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Writes the REST API's error body with a status.</summary>
    public static Task WriteRestAsync(HttpContext context, int status, RestError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        Prepare(context, status);
        return JsonSerializer.SerializeAsync(context.Response.Body, error, RestJson.Context.RestError, CancellationToken.None);
    }

    /// <summary>The REST API's string code for a status raised outside its handlers (docs/rest-api.md lists them).</summary>
    public static string RestCodeFor(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status408RequestTimeout => "request_timeout",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status414UriTooLong => "uri_too_long",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers_too_large",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        >= 500 => "internal",
        _ => "bad_request",
    };

    /// <summary>The gRPC code etcd's shape carries for a status raised outside the gateway's handlers.</summary>
    private static int GrpcCodeFor(int status) => status switch
    {
        StatusCodes.Status404NotFound => GrpcCode.NotFound,
        StatusCodes.Status405MethodNotAllowed => GrpcCode.Unimplemented,
        StatusCodes.Status408RequestTimeout => GrpcCode.DeadlineExceeded,
        StatusCodes.Status503ServiceUnavailable => GrpcCode.Unavailable,
        >= 500 => GrpcCode.Internal,
        _ => GrpcCode.InvalidArgument,
    };

    private static void Prepare(HttpContext context, int status)
    {
        var response = context.Response;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "1";
        }

        // An error is about the request, not a version of the key: no ETag from a half-done success may survive.
        response.Headers.ETag = default;
        response.StatusCode = status;
        response.ContentLength = null;
        response.ContentType = Json;
    }
}
