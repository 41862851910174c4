using System.Text.Json;
using Distate.Server.Configuration;
using Distate.Server.Forwarding;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>
/// The etcd v3 JSON gateway (the paths, request and response shapes of etcd 3.4's grpc-gateway), so existing etcd
/// HTTP clients and curl recipes work unchanged. Linearizable reads by default (ReadIndex), serializable on request.
/// </summary>
public static partial class EtcdGateway
{
    private static readonly string[] PutFields = ["key", "value", "lease", "prev_kv", "ignore_value", "ignore_lease"];
    private static readonly string[] RangeFields =
    [
        "key", "range_end", "limit", "revision", "sort_order", "sort_target", "serializable", "keys_only", "count_only",
        "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision",
    ];

    private static readonly string[] DeleteFields = ["key", "range_end", "prev_kv"];

    /// <summary>Maps the gateway's endpoints.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/v3/kv/put", context => Handle(context, PutAsync)).KeyValueWrite();
        app.MapPost("/v3/kv/range", context => Handle(context, RangeAsync));
        app.MapPost("/v3/kv/deleterange", context => Handle(context, DeleteRangeAsync)).KeyValueWrite();
        app.MapPost("/v3/kv/compaction", context => Handle(context, CompactAsync)).KeyValueWrite();
        app.MapPost("/v3/kv/txn", context => Handle(context, TxnAsync)).KeyValueWrite();
        app.MapPost("/v3/watch", context => WatchAsync(context));
        app.MapPost("/v3/maintenance/status", context => Handle(context, StatusAsync));
        app.MapPost("/v3/maintenance/hashkv", context => Handle(context, HashKvAsync));
        app.MapPost("/v3/maintenance/alarm", context => Handle(context, AlarmAsync)).LeaderOnly();
        app.MapPost("/v3/maintenance/defragment", context => Handle(context, DefragmentAsync));
        MapLeases(app);
        MapCluster(app);
        app.MapGet("/version", () => Results.Json(new Dictionary<string, string>
        {
            ["etcdserver"] = ServerVersion.EtcdApi, ["etcdcluster"] = ServerVersion.EtcdApi, ["distate"] = ServerVersion.Distate,
        }));
        app.MapGet("/healthz", (RaftHost host) => host.FatalError is { } fatal
            ? Results.Json(new { health = "false", reason = fatal }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { health = "true" }));
        app.MapGet("/readyz", (RaftHost host) => host.NotReadyReason is { } reason
            ? Results.Json(new { ready = false, reason }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { ready = true, leader = host.Status.Leader.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private static async Task PutAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.PutRequest", PutFields);
        var result = await call.ProposeAsync(ParsePut(request)).ConfigureAwait(false);
        await call.WriteAsync(result, (writer, r) =>
        {
            if (((PutResult)r).PrevKv is { } prev)
            {
                writer.WritePropertyName("prev_kv");
                EtcdJson.KeyValue(writer, prev);
            }
        }).ConfigureAwait(false);
    }

    private static async Task RangeAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.RangeRequest", RangeFields);
        var command = ParseRange(request);
        if (!request.Bool("serializable"))
        {
            await call.ReadBarrierAsync().ConfigureAwait(false);
        }

        var result = call.Host.Store.Range(command);
        await call.WriteAsync(result, WriteRangeBody).ConfigureAwait(false);
    }

    private static async Task DeleteRangeAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.DeleteRangeRequest", DeleteFields);
        var result = await call.ProposeAsync(ParseDeleteRange(request)).ConfigureAwait(false);
        await call.WriteAsync(result, (writer, r) =>
        {
            var deleted = (DeleteRangeResult)r;
            EtcdJson.Int64(writer, "deleted", deleted.Deleted);
            WriteKvs(writer, "prev_kvs", deleted.PrevKvs);
        }).ConfigureAwait(false);
    }

    private static async Task CompactAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.CompactionRequest", "revision", "physical");
        var result = await call.ProposeAsync(new CompactCommand(new Revision(request.Int64("revision")))).ConfigureAwait(false);
        await call.WriteAsync(result, static (_, _) => { }).ConfigureAwait(false);
    }

    private static async Task StatusAsync(GatewayCall call)
    {
        JsonRequest.Parse(call.Body, "etcdserverpb.StatusRequest");
        var status = call.Host.Status;
        var store = call.Host.Store;
        var result = new CompactResult(store.CurrentRevision);
        await call.WriteAsync(result, (writer, _) =>
        {
            writer.WriteString("version", ServerVersion.EtcdApi);
            EtcdJson.Int64(writer, "dbSize", store.UsedBytes);
            EtcdJson.UInt64(writer, "leader", status.Leader.Value);
            EtcdJson.UInt64(writer, "raftIndex", status.LastIndex.Value);
            EtcdJson.UInt64(writer, "raftTerm", status.Term.Value);
            EtcdJson.UInt64(writer, "raftAppliedIndex", call.Host.AppliedIndex.Value);
            EtcdJson.Int64(writer, "dbSizeInUse", store.UsedBytes);
            EtcdJson.Bool(writer, "isLearner", status.Config.IsLearner(status.Id));
        }).ConfigureAwait(false);
    }

    private static RangeCommand ParseRange(JsonRequest request) => new()
    {
        Key = request.Bytes("key"),
        RangeEnd = request.Bytes("range_end"),
        Limit = request.Int64("limit"),
        Revision = new Revision(request.Int64("revision")),
        SortOrder = (SortOrder)request.Enum("sort_order", "NONE", "ASCEND", "DESCEND"),
        SortTarget = (SortTarget)request.Enum("sort_target", "KEY", "VERSION", "CREATE", "MOD", "VALUE"),
        KeysOnly = request.Bool("keys_only"),
        CountOnly = request.Bool("count_only"),
        MinModRevision = new Revision(request.Int64("min_mod_revision")),
        MaxModRevision = new Revision(request.Int64("max_mod_revision")),
        MinCreateRevision = new Revision(request.Int64("min_create_revision")),
        MaxCreateRevision = new Revision(request.Int64("max_create_revision")),
    };

    private static void WriteRangeBody(Utf8JsonWriter writer, StoreResult result)
    {
        var range = (RangeResult)result;
        WriteKvs(writer, "kvs", range.Kvs);
        EtcdJson.Bool(writer, "more", range.More);
        EtcdJson.Int64(writer, "count", range.Count);
    }

    private static void WriteKvs(Utf8JsonWriter writer, string name, IReadOnlyList<KeyValue> kvs)
    {
        if (kvs.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var kv in kvs)
        {
            EtcdJson.KeyValue(writer, kv);
        }

        writer.WriteEndArray();
    }
}
