using Distate.Server.Configuration;
using Distate.Server.Node;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using static Distate.Server.Api.GrpcCode;

namespace Distate.Server.Api;

/// <summary>
/// /v3/watch: the request body is a stream of etcdserverpb.WatchRequest objects and the response a stream of
/// {"result":{...}} lines, both open for as long as the client stays, as with etcd's grpc-gateway (see <see cref="WatchStream"/>).
/// Any member serves watches from its own store, as etcd does; no request timeout applies.
/// </summary>
public static partial class EtcdGateway
{
    private static async Task WatchAsync(HttpContext context)
    {
        var host = context.RequestServices.GetRequiredService<RaftHost>();
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        var settings = context.RequestServices.GetService<WatchStreamSettings>() ?? WatchStreamSettings.Default;
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        AllowLongLivedBody(context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var reader = new JsonMessageReader(context.Request.Body, options.MaxRequestBytes, "etcdserverpb.WatchRequest");
        try
        {
            if (await TryReadFirstWatchMessageAsync(context, reader, stop.Token).ConfigureAwait(false) is { } first)
            {
                context.Response.ContentType = "application/json";
                await context.Response.StartAsync().ConfigureAwait(false);
                await using var stream = new WatchStream(context, host, settings, stop.Token);
                await stream.RunAsync(first.Message, reader).ConfigureAwait(false);
            }
        }
        finally
        {
            await EndUnfinishedBodyAsync(context, reader, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the first message (a null message when the body is empty). Null when the exchange is over: the message
    /// was bad (answered with an error, as etcd's gateway answers instead of opening a stream) or the client or server went away.</summary>
    private static async Task<FirstWatchMessage?> TryReadFirstWatchMessageAsync(HttpContext context, JsonMessageReader reader, CancellationToken stop)
    {
        try
        {
            var element = await reader.ReadAsync(stop).ConfigureAwait(false);
            return new FirstWatchMessage(element is { } value ? WatchStreamMessage.Parse(value) : null);
        }
        catch (Exception ex) when (ex is BadRequestException or InvalidMessageException)
        {
            // etcd says 500 with gRPC code 2 here; this gateway uses 400 and code 3 like for every other bad request.
            await WriteErrorAsync(context, InvalidArgument, ex.Message).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            await WriteErrorAsync(context, InvalidArgument, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left (or the server is stopping) before its first request: there is no one to answer.
        }
        catch (IOException)
        {
            // The request body broke before a whole first request arrived: the client is gone, there is no one to answer.
        }

        return null;
    }

    /// <summary>When the server stops a stream whose client has not ended its body, Kestrel would wait for the rest of a body
    /// that may never come and hold shutdown for its whole timeout: finish the response and close the connection instead.
    /// (Otherwise, after an error answer, Kestrel's own bounded drain of the unread body is the right thing.)</summary>
    private static async Task EndUnfinishedBodyAsync(HttpContext context, JsonMessageReader reader, CancellationToken stopping)
    {
        if (reader.BodyEnded || context.RequestAborted.IsCancellationRequested || !stopping.IsCancellationRequested)
        {
            return;
        }

        await context.Response.CompleteAsync().ConfigureAwait(false);
        context.Abort();
    }

    /// <summary>A watch request body stays open for the life of the stream: lift Kestrel's whole-body size cap (each message
    /// is capped instead) and its minimum upload rate (an idle client is normal here).</summary>
    private static void AllowLongLivedBody(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }
}
