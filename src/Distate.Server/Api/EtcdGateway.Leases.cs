using System.Text.Json;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Server.Forwarding;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>
/// etcd's lease endpoints. Grant and revoke are replicated writes; keep-alive and time-to-live read the leader's
/// lease clock (a follower forwards them); the lease list is served locally.
/// </summary>
public static partial class EtcdGateway
{
    private static void MapLeases(WebApplication app)
    {
        app.MapPost("/v3/lease/grant", context => Handle(context, LeaseGrantAsync)).LeaderOnly();
        app.MapPost("/v3/lease/revoke", context => Handle(context, LeaseRevokeAsync)).LeaderOnly();
        app.MapPost("/v3/kv/lease/revoke", context => Handle(context, LeaseRevokeAsync)).LeaderOnly();
        app.MapPost("/v3/lease/keepalive", LeaseKeepAliveAsync);
        app.MapPost("/v3/lease/timetolive", context => Handle(context, LeaseTimeToLiveAsync)).LeaderOnly();
        app.MapPost("/v3/kv/lease/timetolive", context => Handle(context, LeaseTimeToLiveAsync)).LeaderOnly();
        app.MapPost("/v3/lease/leases", context => Handle(context, LeaseListAsync));
        app.MapPost("/v3/kv/lease/leases", context => Handle(context, LeaseListAsync));
    }

    private static async Task LeaseGrantAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.LeaseGrantRequest", "TTL", "ID");
        // As etcd does, a TTL shorter than an election is raised so the lease cannot expire during a leader change.
        var ttl = Math.Max(request.Int64("TTL"), call.Host.Leases.MinTtlSeconds);
        var result = await call.ProposeAsync(new LeaseGrantCommand(new LeaseId(request.Int64("ID")), ttl)).ConfigureAwait(false);
        await call.WriteAsync(result, static (writer, r) =>
        {
            var grant = (LeaseGrantResult)r;
            EtcdJson.Int64(writer, "ID", grant.Id.Value);
            EtcdJson.Int64(writer, "TTL", grant.TtlSeconds);
        }).ConfigureAwait(false);
    }

    private static async Task LeaseRevokeAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.LeaseRevokeRequest", "ID");
        var result = await call.ProposeAsync(new LeaseRevokeCommand(new LeaseId(request.Int64("ID")))).ConfigureAwait(false);
        await call.WriteAsync(result, static (_, _) => { }).ConfigureAwait(false);
    }

    /// <summary>
    /// A stream of {"ID"} requests, each answered with one {"result":{...}} line as soon as it is read (an unknown lease
    /// gets TTL 0, as in etcd). The stream lives as long as the client keeps it; each renewal has the request timeout.
    /// </summary>
    private static async Task LeaseKeepAliveAsync(HttpContext context)
    {
        var host = context.RequestServices.GetRequiredService<RaftHost>();
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        AllowLongLivedBody(context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var reader = new JsonMessageReader(context.Request.Body, options.MaxRequestBytes, "etcdserverpb.LeaseKeepAliveRequest");
        try
        {
            await AnswerFailuresAsync(context, async () =>
            {
                while (await reader.ReadAsync(stop.Token).ConfigureAwait(false) is { } element)
                {
                    var id = new LeaseId(JsonRequest.From(element, "etcdserverpb.LeaseKeepAliveRequest", "ID").Int64("ID"));
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    deadline.CancelAfter(options.RequestTimeoutMs);
                    var call = new GatewayCall(context, host, ReadOnlyMemory<byte>.Empty, deadline.Token);
                    if (host.Status.Role != StateRole.Leader && !context.Request.Headers.ContainsKey(LeaderForwarder.ForwardedHeader))
                    {
                        // Only the leader keeps lease deadlines: renew there, relay its answer line.
                        await call.WriteRawStreamItemAsync(await host.Forwarder.KeepAliveOnLeaderAsync(id.Value, deadline.Token).ConfigureAwait(false)).ConfigureAwait(false);
                        continue;
                    }

                    var ttl = await host.Leases.KeepAliveAsync(id, deadline.Token).ConfigureAwait(false);
                    await call.WriteStreamItemAsync(host.Store.CurrentRevision.Value, writer =>
                    {
                        EtcdJson.Int64(writer, "ID", id.Value);
                        EtcdJson.Int64(writer, "TTL", ttl);
                    }).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client closed its stream or the server is stopping: nobody is left to answer.
        }
        catch (Exception ex) when (ex is BadRequestException or InvalidMessageException && context.Response.HasStarted)
        {
            // A bad request after the first answer: as etcd's gateway does, stop reading and end the stream cleanly (the
            // status is sent already); renewals answered so far stand. A bad first request got a 400 above.
        }
        finally
        {
            await EndUnfinishedBodyAsync(context, reader, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
    }

    private static async Task LeaseTimeToLiveAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.LeaseTimeToLiveRequest", "ID", "keys");
        await call.ReadBarrierAsync().ConfigureAwait(false);
        var id = new LeaseId(request.Int64("ID"));
        var info = call.Host.Store.LeaseTimeToLive(id, request.Bool("keys"));
        if (info is null)
        {
            // etcd answers an unknown (expired, revoked) lease with 200 and TTL -1, not an error.
            await call.WriteAsync(call.Host.Store.CurrentRevision.Value, writer =>
            {
                EtcdJson.Int64(writer, "ID", id.Value);
                EtcdJson.Int64(writer, "TTL", -1);
            }).ConfigureAwait(false);
            return;
        }

        var remaining = call.Host.Leases.RemainingSeconds(info);
        await call.WriteAsync(call.Host.Store.CurrentRevision.Value, writer =>
        {
            EtcdJson.Int64(writer, "ID", info.Id.Value);
            EtcdJson.Int64(writer, "TTL", remaining);
            EtcdJson.Int64(writer, "grantedTTL", info.GrantedTtlSeconds);
            if (info.Keys.Count > 0)
            {
                writer.WriteStartArray("keys");
                foreach (var key in info.Keys)
                {
                    writer.WriteBase64StringValue(key.Span);
                }

                writer.WriteEndArray();
            }
        }).ConfigureAwait(false);
    }

    private static async Task LeaseListAsync(GatewayCall call)
    {
        JsonRequest.Parse(call.Body, "etcdserverpb.LeaseLeasesRequest");
        await call.ReadBarrierAsync().ConfigureAwait(false);
        var leases = call.Host.Store.LeaseList();
        await call.WriteAsync(call.Host.Store.CurrentRevision.Value, writer => WriteLeaseIds(writer, leases)).ConfigureAwait(false);
    }

    private static void WriteLeaseIds(Utf8JsonWriter writer, IReadOnlyList<LeaseInfo> leases)
    {
        if (leases.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("leases");
        foreach (var lease in leases)
        {
            writer.WriteStartObject();
            EtcdJson.Int64(writer, "ID", lease.Id.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
