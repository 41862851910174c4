using System.Text.Json;
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
        app.MapPost("/v3/lease/grant", context => Handle(context, LeaseGrantAsync));
        app.MapPost("/v3/lease/revoke", context => Handle(context, LeaseRevokeAsync));
        app.MapPost("/v3/kv/lease/revoke", context => Handle(context, LeaseRevokeAsync));
        app.MapPost("/v3/lease/keepalive", context => Handle(context, LeaseKeepAliveAsync));
        app.MapPost("/v3/lease/timetolive", context => Handle(context, LeaseTimeToLiveAsync));
        app.MapPost("/v3/kv/lease/timetolive", context => Handle(context, LeaseTimeToLiveAsync));
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

    /// <summary>A stream of {"ID"} requests answered one {"result":{...}} line each; an unknown lease gets TTL 0.</summary>
    private static async Task LeaseKeepAliveAsync(GatewayCall call)
    {
        var requests = JsonRequest.ParseSequence(call.Body, "etcdserverpb.LeaseKeepAliveRequest", "ID");
        foreach (var request in requests)
        {
            var id = new LeaseId(request.Int64("ID"));
            var ttl = await call.Host.Leases.KeepAliveAsync(id, call.Deadline).ConfigureAwait(false);
            await call.WriteStreamItemAsync(call.Host.Store.CurrentRevision.Value, writer =>
            {
                EtcdJson.Int64(writer, "ID", id.Value);
                EtcdJson.Int64(writer, "TTL", ttl);
            }).ConfigureAwait(false);
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
