using Distate.Server.Configuration;
using Microsoft.AspNetCore.Http.Features;

namespace Distate.Server.Http;

/// <summary>
/// The outermost middleware: makes every error answer of the client port a JSON body in the shape of the API its path
/// belongs to (<see cref="ApiErrorWriter"/>), including the answers no API handler writes.
/// 1. At the door: a request target over <see cref="ServerLimits.MaxRequestTargetBytes"/> is a 414, headers over
///    <see cref="ServerLimits.MaxRequestHeaderBytes"/> or <see cref="ServerLimits.MaxRequestHeaderCount"/> a 431. Kestrel
///    refuses such requests itself only far above these limits (its own answers have no body and cannot be changed).
/// 2. Around everything: a <see cref="BadHttpRequestException"/> that escapes (a body over Kestrel's limit, cut short, or
///    arriving below the minimum data rate) is answered with its own 4xx status — a slow body is the client's 408, never a
///    503 that blames the cluster.
/// 3. After everything: an error status with no body (routing's 404, 405 and 415) gets one.
/// A failure that is nobody's mistake but ours is logged with its stack and answered as a JSON 500.
/// </summary>
internal static class ClientErrorsMiddleware
{
    /// <summary>Adds the middleware; call it before any other.</summary>
    public static void Use(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Distate.Http");
        app.Use(async (context, next) =>
        {
            if (DoorRefusal(context) is { } refusal)
            {
                await ApiErrorWriter.WriteAsync(context, refusal.Status, refusal.Message).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                await ApiErrorWriter.WriteAsync(context, ex.StatusCode, RequestBody.Describe(ex)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                logger.LogError(ex, "unexpected failure answering {Method} {Path}", context.Request.Method, context.Request.Path);
                await ApiErrorWriter.WriteAsync(context, StatusCodes.Status500InternalServerError,
                    "internal error: the server failed to answer this request (the failure is logged); this is a bug, please report it")
                    .ConfigureAwait(false);
                return;
            }

            if (IsEmptyError(context.Response))
            {
                await ApiErrorWriter.WriteAsync(context, context.Response.StatusCode, DescribeStatus(context)).ConfigureAwait(false);
            }
        });
    }

    /// <summary>A 414 or 431 when the request line or headers exceed the documented limits; null otherwise.</summary>
    private static (int Status, string Message)? DoorRefusal(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (target.Length > ServerLimits.MaxRequestTargetBytes)
        {
            return (StatusCodes.Status414UriTooLong,
                $"the request target (path and query) is {target.Length} bytes; the limit is {ServerLimits.MaxRequestTargetBytes}");
        }

        var headers = context.Request.Headers;
        long headerBytes = 0;
        foreach (var (name, values) in headers)
        {
            // As on the wire: "name: value\r\n" per line.
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        if (headers.Count > ServerLimits.MaxRequestHeaderCount || headerBytes > ServerLimits.MaxRequestHeaderBytes)
        {
            return (StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"the request has {headers.Count} headers of {headerBytes} bytes in all; the limits are " +
                $"{ServerLimits.MaxRequestHeaderCount} headers and {ServerLimits.MaxRequestHeaderBytes} bytes");
        }

        return null;
    }

    private static bool IsEmptyError(HttpResponse response) =>
        !response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null or 0 && string.IsNullOrEmpty(response.ContentType);

    private static string DescribeStatus(HttpContext context)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        return status switch
        {
            StatusCodes.Status404NotFound => $"no such endpoint: {request.Method} {request.Path} (see docs/gateway.md and docs/rest-api.md)",
            StatusCodes.Status405MethodNotAllowed =>
                $"method {request.Method} is not allowed on {request.Path}; allowed: {context.Response.Headers.Allow}",
            StatusCodes.Status415UnsupportedMediaType => $"unsupported Content-Type \"{request.ContentType}\" for {request.Method} {request.Path}",
            _ => $"{status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}",
        };
    }
}
