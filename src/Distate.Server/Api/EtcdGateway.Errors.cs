using Distate.Node.Requests;
using System.Buffers;
using System.Text.Json;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Server.Node;
using Distate.Store.Errors;

namespace Distate.Server.Api;

/// <summary>Request plumbing and error mapping: etcd's {"error","code","message"} with the gRPC code's HTTP status.</summary>
public static partial class EtcdGateway
{
    private const int InvalidArgument = 3;
    private const int DeadlineExceeded = 4;
    private const int NotFound = 5;
    private const int ResourceExhausted = 8;
    private const int FailedPrecondition = 9;
    private const int OutOfRange = 11;
    private const int Unavailable = 14;

    /// <summary>Runs a unary call: reads the whole body, applies the request timeout, maps failures to etcd errors.</summary>
    private static async Task Handle(HttpContext context, Func<GatewayCall, Task> handler)
    {
        var host = context.RequestServices.GetRequiredService<RaftHost>();
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.RequestTimeoutMs);
        await AnswerFailuresAsync(context, async () =>
        {
            var body = await ReadBodyAsync(context, host.Limits.MaxHttpBodyBytes, timeout.Token).ConfigureAwait(false);
            await handler(new GatewayCall(context, host, body, timeout.Token)).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> and answers an expected failure with etcd's error JSON. A failure after a stream has
    /// started answering cannot change the status any more: the exception ends the exchange (as etcd ends the stream).
    /// </summary>
    private static async Task AnswerFailuresAsync(HttpContext context, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (BadRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, InvalidArgument, ex.Message).ConfigureAwait(false);
        }
        catch (GatewayErrorException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, ex.GrpcCode, ex.Message).ConfigureAwait(false);
        }
        catch (StoreErrorException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, CodeFor(ex.Error.Code), ex.Error.Message).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (!context.Response.HasStarted)
        {
            await WriteUnavailableAsync(context, "etcdserver: " + ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // The request timed out waiting for the cluster (no quorum, no leader): a bounded wait, never a hang.
            await WriteUnavailableAsync(context,
                "etcdserver: request timed out: no quorum or no leader answered in time; a write may or may not have been applied")
                .ConfigureAwait(false);
        }
    }

    /// <summary>Answers 503 + Retry-After: 1 with etcd's Unavailable error (no leader, no quorum, leader unreachable).</summary>
    internal static Task WriteUnavailableAsync(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteErrorAsync(context, Unavailable, message);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, int maxBytes, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            throw new BadRequestException($"etcdserver: request is too large ({context.Request.ContentLength} bytes; the limit is {maxBytes})");
        }

        if (context.Request.ContentLength is { } length)
        {
            // The usual case: read straight into a buffer of the announced size (no chunk, no copies). Kestrel ends
            // the body at Content-Length and fails a request that ends early.
            var body = new byte[length];
            await context.Request.Body.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            return body;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new BadRequestException($"etcdserver: request is too large (the limit is {maxBytes} bytes)");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static int CodeFor(StoreErrorCode code) => code switch
    {
        StoreErrorCode.Compacted or StoreErrorCode.FutureRevision => OutOfRange,
        StoreErrorCode.LeaseNotFound => NotFound,
        StoreErrorCode.LeaseExists => FailedPrecondition,
        StoreErrorCode.NoSpace or StoreErrorCode.TooManyWatchers => ResourceExhausted,
        _ => InvalidArgument,
    };

    private static int HttpStatusFor(int grpcCode) => grpcCode switch
    {
        InvalidArgument or OutOfRange => StatusCodes.Status400BadRequest,
        FailedPrecondition => StatusCodes.Status412PreconditionFailed,
        DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        NotFound => StatusCodes.Status404NotFound,
        ResourceExhausted => StatusCodes.Status429TooManyRequests,
        Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task WriteErrorAsync(HttpContext context, int grpcCode, string message)
    {
        context.Response.StatusCode = HttpStatusFor(grpcCode);
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, EtcdJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteNumber("code", grpcCode);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), CancellationToken.None).ConfigureAwait(false);
    }
}
