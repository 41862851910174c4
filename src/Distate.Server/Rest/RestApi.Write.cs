using Distate.Server.Http;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;
using Microsoft.AspNetCore.Mvc;

namespace Distate.Server.Rest;

/// <summary>PUT and DELETE /v1/kv. A conditional write (If-Match / If-None-Match) is one txn — compare, then put or delete —
/// so no other write can slip between the check and the change; the failure branch reads the key to report its state.</summary>
public static partial class RestApi
{
    private static readonly string[] PutParameters = ["lease"];
    private static readonly string[] DeleteParameters = ["prefix"];

    private static Task PutKeyAsync(
        HttpContext context,
        string? key,
        [FromQuery] string? lease,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [FromHeader(Name = "If-None-Match")] string? ifNoneMatch) =>
        RestCall.RunAsync(context, async call =>
        {
            RestQuery.EnsureKnown(context.Request.Query, PutParameters);
            byte[] keyBytes = RestKey.FromRequest(context.Request, KvPrefix);
            RequireKey(call, keyBytes, allowEmpty: false);
            var leaseId = new LeaseId(RestQuery.Number("lease", lease, 1, long.MaxValue, 0));
            var precondition = RestPrecondition.Parse(ifMatch, ifNoneMatch, allowIfNoneMatch: true);
            byte[] value = await RequestBody.ReadAsync(context.Request, call.Host.Limits.MaxRequestBytes, call.Deadline).ConfigureAwait(false);
            var put = new PutCommand { Key = keyBytes, Value = value, Lease = leaseId, PrevKv = true };
            var written = precondition.IsSet
                ? (PutResult)await ProposeConditionalAsync(call, keyBytes, precondition, put).ConfigureAwait(false)
                : (PutResult)await call.ProposeAsync(put).ConfigureAwait(false);
            await WritePutResultAsync(call, keyBytes, leaseId, written).ConfigureAwait(false);
        });

    private static Task DeleteKeyAsync(
        HttpContext context,
        string? key,
        [FromQuery] string? prefix,
        [FromHeader(Name = "If-Match")] string? ifMatch) =>
        RestCall.RunAsync(context, async call =>
        {
            RestQuery.EnsureKnown(context.Request.Query, DeleteParameters);
            byte[] keyBytes = RestKey.FromRequest(context.Request, KvPrefix);
            bool isPrefix = RestQuery.Flag("prefix", prefix);
            if (isPrefix && keyBytes.Length == 0)
            {
                throw RestErrors.BadRequest("an empty prefix would delete every key; name a prefix, as in /v1/kv/app/?prefix=true");
            }

            RequireKey(call, keyBytes, allowEmpty: false);
            // If-None-Match is not a parameter of DELETE, but one sent by mistake is refused rather than ignored.
            string? ifNoneMatch = context.Request.Headers.IfNoneMatch.Count == 0 ? null : context.Request.Headers.IfNoneMatch.ToString();
            var precondition = RestPrecondition.Parse(ifMatch, ifNoneMatch, allowIfNoneMatch: false);
            if (isPrefix && precondition.IsSet)
            {
                throw RestErrors.BadRequest("If-Match applies to one key, not to a prefix delete");
            }

            var delete = new DeleteRangeCommand { Key = keyBytes, RangeEnd = isPrefix ? KeyRanges.PrefixEnd(keyBytes) : [] };
            var deleted = precondition.IsSet
                ? (DeleteRangeResult)await ProposeConditionalAsync(call, keyBytes, precondition, delete).ConfigureAwait(false)
                : (DeleteRangeResult)await call.ProposeAsync(delete).ConfigureAwait(false);
            call.SetRevisionHeader(deleted.Revision);
            var body = new RestDeleteResult { Revision = deleted.Revision.Value, Deleted = deleted.Deleted };
            await call.WriteJsonAsync(StatusCodes.Status200OK, body, RestJson.Context.RestDeleteResult).ConfigureAwait(false);
        });

    /// <summary>Runs <paramref name="operation"/> only if the precondition holds, atomically; otherwise throws 412 with the
    /// key's current mod revision.</summary>
    private static async Task<StoreResult> ProposeConditionalAsync(RestCall call, byte[] key, RestPrecondition precondition, StoreCommand operation)
    {
        var txn = new TxnCommand
        {
            Compares = [precondition.ToCompare(key)],
            Success = [operation],
            Failure = [new RangeCommand { Key = key, KeysOnly = true }],
        };
        var result = (TxnResult)await call.ProposeAsync(txn).ConfigureAwait(false);
        Invariant.Check(result.Responses.Count == 1, "each txn branch holds exactly one operation");
        if (result.Succeeded)
        {
            return result.Responses[0];
        }

        var current = (RangeResult)result.Responses[0];
        call.SetRevisionHeader(result.Revision);
        throw RestErrors.PreconditionFailed(key, precondition, current.Kvs.Count == 0 ? null : current.Kvs[0], result.Revision);
    }

    private static Task WritePutResultAsync(RestCall call, byte[] key, LeaseId lease, PutResult written)
    {
        var previous = written.PrevKv;
        var revision = written.Revision;
        call.SetRevisionHeader(revision);
        call.Context.Response.Headers.ETag = RestCall.EntityTag(revision);
        var body = new RestPutResult
        {
            Revision = revision.Value,
            Created = previous is null,
            Key = RestJson.Text(key, out var keyEncoding),
            KeyEncoding = keyEncoding,
            CreateRevision = previous?.CreateRevision.Value ?? revision.Value,
            ModRevision = revision.Value,
            Version = (previous?.Version ?? 0) + 1,
            Lease = lease.Value,
        };
        return call.WriteJsonAsync(previous is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, body, RestJson.Context.RestPutResult);
    }
}
