using System.Text.Json;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>
/// /v3/kv/txn: compares, then the success or failure ops (put, range, delete-range, nested txn), applied atomically at
/// one revision. Every txn is proposed through Raft, read-only ones included: the store has no way to evaluate a txn
/// outside apply, and a proposal is linearizable by construction (etcd serves read-only txns after a ReadIndex instead).
/// </summary>
public static partial class EtcdGateway
{
    private static readonly string[] TxnFields = ["compare", "success", "failure"];
    private static readonly string[] RequestOpFields = ["request_range", "request_put", "request_delete_range", "request_txn"];
    private static readonly string[] CompareOperandFields = ["version", "create_revision", "mod_revision", "value", "lease"];
    private static readonly string[] CompareFields =
        ["result", "target", "key", "range_end", "version", "create_revision", "mod_revision", "value", "lease"];

    private static async Task TxnAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.TxnRequest", TxnFields);
        var command = ParseTxn(request);
        var result = await call.ProposeAsync(command).ConfigureAwait(false);
        await call.WriteAsync(result, WriteTxnBody).ConfigureAwait(false);
    }

    private static TxnCommand ParseTxn(JsonRequest request)
    {
        var compares = new List<Compare>();
        foreach (var element in request.Elements("compare"))
        {
            compares.Add(ParseCompare(element));
        }

        return new TxnCommand { Compares = compares, Success = ParseOps(request, "success"), Failure = ParseOps(request, "failure") };
    }

    private static List<StoreCommand> ParseOps(JsonRequest request, string branch)
    {
        var ops = new List<StoreCommand>();
        foreach (var element in request.Elements(branch))
        {
            ops.Add(ParseOp(element));
        }

        return ops;
    }

    /// <summary>One RequestOp: exactly one of its four requests must be set (etcd silently picks one; we refuse the ambiguity).</summary>
    private static StoreCommand ParseOp(JsonElement element)
    {
        var op = JsonRequest.From(element, "etcdserverpb.RequestOp", RequestOpFields);
        if (CountPresent(element, RequestOpFields) != 1)
        {
            throw new BadRequestException(
                "a RequestOp in etcdserverpb.TxnRequest must set exactly one of request_range, request_put, request_delete_range, request_txn");
        }

        if (op.TryObject("request_put", out var put))
        {
            return ParsePut(JsonRequest.From(put, "etcdserverpb.PutRequest", PutFields));
        }

        if (op.TryObject("request_range", out var range))
        {
            return ParseRange(JsonRequest.From(range, "etcdserverpb.RangeRequest", RangeFields));
        }

        if (op.TryObject("request_delete_range", out var delete))
        {
            return ParseDeleteRange(JsonRequest.From(delete, "etcdserverpb.DeleteRangeRequest", DeleteFields));
        }

        if (op.TryObject("request_txn", out var txn))
        {
            return ParseTxn(JsonRequest.From(txn, "etcdserverpb.TxnRequest", TxnFields));
        }

        throw new BadRequestException("the request in a RequestOp of etcdserverpb.TxnRequest must be a JSON object");
    }

    /// <summary>One Compare. The operand is the oneof field named by the target; like etcd, a field for another target counts
    /// as zero (or empty), but setting two operand fields is refused rather than resolved by field order.</summary>
    private static Compare ParseCompare(JsonElement element)
    {
        var compare = JsonRequest.From(element, "etcdserverpb.Compare", CompareFields);
        if (CountPresent(element, CompareOperandFields) > 1)
        {
            throw new BadRequestException(
                "etcdserverpb.Compare must set at most one of version, create_revision, mod_revision, value, lease");
        }

        var target = (CompareTarget)compare.Enum("target", "VERSION", "CREATE", "MOD", "VALUE", "LEASE");
        long version = compare.Int64("version");
        long create = compare.Int64("create_revision");
        long mod = compare.Int64("mod_revision");
        long lease = compare.Int64("lease");
        byte[] value = compare.Bytes("value");
        byte[] key = compare.Bytes("key");
        if (key.Length == 0)
        {
            // etcd checks this in its API layer, before the request reaches the state machine.
            throw new BadRequestException(StoreError.MessageFor(StoreErrorCode.EmptyKey));
        }

        return new Compare
        {
            Key = key,
            RangeEnd = compare.Bytes("range_end"),
            Target = target,
            Operator = (CompareOperator)compare.Enum("result", "EQUAL", "GREATER", "LESS", "NOT_EQUAL"),
            Number = target switch
            {
                CompareTarget.Version => version,
                CompareTarget.Create => create,
                CompareTarget.Mod => mod,
                CompareTarget.Lease => lease,
                _ => 0,
            },
            Value = target == CompareTarget.Value ? value : [],
        };
    }

    /// <summary>Parses a PutRequest body.</summary>
    private static PutCommand ParsePut(JsonRequest request) => new()
    {
        Key = request.Bytes("key"),
        Value = request.Bytes("value"),
        Lease = new LeaseId(request.Int64("lease")),
        PrevKv = request.Bool("prev_kv"),
        IgnoreValue = request.Bool("ignore_value"),
        IgnoreLease = request.Bool("ignore_lease"),
    };

    /// <summary>Parses a DeleteRangeRequest body.</summary>
    private static DeleteRangeCommand ParseDeleteRange(JsonRequest request) =>
        new() { Key = request.Bytes("key"), RangeEnd = request.Bytes("range_end"), PrevKv = request.Bool("prev_kv") };

    private static int CountPresent(JsonElement element, string[] names)
    {
        int present = 0;
        foreach (var name in names)
        {
            present += element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? 1 : 0;
        }

        return present;
    }

    private static void WriteTxnBody(Utf8JsonWriter writer, StoreResult result)
    {
        var txn = (TxnResult)result;
        long revision = txn.Revision.Value;
        var cursor = new TxnRevisionCursor(Writes(txn) ? revision - 1 : revision, revision);
        WriteTxnFields(writer, txn, cursor);
    }

    /// <summary>True when the branch that ran changed a key (so the txn took a new revision).</summary>
    private static bool Writes(TxnResult txn)
    {
        foreach (var response in txn.Responses)
        {
            if (response is PutResult || response is DeleteRangeResult { Deleted: > 0 } || (response is TxnResult inner && Writes(inner)))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteTxnFields(Utf8JsonWriter writer, TxnResult txn, TxnRevisionCursor cursor)
    {
        EtcdJson.Bool(writer, "succeeded", txn.Succeeded);
        if (txn.Responses.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("responses");
        foreach (var response in txn.Responses)
        {
            writer.WriteStartObject();
            WriteResponseOp(writer, response, cursor);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>One ResponseOp. As in etcd 3.4, a nested response's header holds only the revision at that point of the txn,
    /// and a nested txn's header is empty.</summary>
    private static void WriteResponseOp(Utf8JsonWriter writer, StoreResult response, TxnRevisionCursor cursor)
    {
        switch (response)
        {
            case PutResult put:
                cursor.Changed = true;
                StartNested(writer, "response_put", cursor);
                if (put.PrevKv is { } prev)
                {
                    writer.WritePropertyName("prev_kv");
                    EtcdJson.KeyValue(writer, prev);
                }

                break;
            case RangeResult range:
                StartNested(writer, "response_range", cursor);
                WriteRangeBody(writer, range);
                break;
            case DeleteRangeResult delete:
                cursor.Changed |= delete.Deleted > 0;
                StartNested(writer, "response_delete_range", cursor);
                EtcdJson.Int64(writer, "deleted", delete.Deleted);
                WriteKvs(writer, "prev_kvs", delete.PrevKvs);
                break;
            case TxnResult txn:
                writer.WriteStartObject("response_txn");
                writer.WriteStartObject("header");
                writer.WriteEndObject();
                WriteTxnFields(writer, txn, cursor);
                break;
            default:
                throw new InvalidOperationException($"a txn answered with an unexpected {response.GetType().Name}");
        }

        writer.WriteEndObject();
    }

    private static void StartNested(Utf8JsonWriter writer, string name, TxnRevisionCursor cursor)
    {
        writer.WriteStartObject(name);
        writer.WriteStartObject("header");
        EtcdJson.Int64(writer, "revision", cursor.Current);
        writer.WriteEndObject();
    }
}
