using System.Text.Json;
using Distate.Node.Requests;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Server.Http;
using Distate.Server.Node;
using Distate.Store.Errors;
using static Distate.Server.Api.GrpcCode;

namespace Distate.Server.Api;

/// <summary>Request plumbing and error mapping: etcd's {"error","code","message"} with the gRPC code's HTTP status.</summary>
public static partial class EtcdGateway
{
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
        catch (Exception ex) when (ex is BadRequestException or InvalidMessageException && !context.Response.HasStarted)
        {
            await WriteErrorAsync(context, InvalidArgument, ex.Message).ConfigureAwait(false);
        }
        catch (GatewayErrorException ex) when (!context.Response.HasStarted)
        {
            await ApiErrorWriter.WriteEtcdAsync(context, ex.HttpStatus ?? HttpStatusFor(ex.GrpcCode), ex.GrpcCode, ex.Message).ConfigureAwait(false);
        }
        catch (StoreErrorException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, CodeFor(ex.Error.Code), ex.Error.Message).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, Unavailable, "etcdserver: " + ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // The request timed out waiting for the cluster (no quorum, no leader): a bounded wait, never a hang.
            await WriteErrorAsync(context, Unavailable,
                "etcdserver: request timed out: no quorum or no leader answered in time; a write may or may not have been applied")
                .ConfigureAwait(false);
        }
    }

    /// <summary>Reads the whole body; Kestrel's and <see cref="RequestBody"/>'s refusals become etcd's errors (a body over the
    /// limit is etcd's "request is too large", a 400 with code 3; a slow body a 408 naming the client).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await RequestBody.ReadAsync(context.Request, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new BadRequestException($"etcdserver: request is too large ({ex.Message})", ex);
        }
        catch (BadHttpRequestException ex)
        {
            throw new GatewayErrorException(
                ex.StatusCode == StatusCodes.Status408RequestTimeout ? DeadlineExceeded : InvalidArgument, RequestBody.Describe(ex), ex.StatusCode);
        }
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

    private static Task WriteErrorAsync(HttpContext context, int grpcCode, string message) =>
        ApiErrorWriter.WriteEtcdAsync(context, HttpStatusFor(grpcCode), grpcCode, message);
}
