using System.Globalization;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;
using Microsoft.AspNetCore.Mvc;

namespace Distate.Server.Rest;

/// <summary>GET (and HEAD) /v1/kv: one key as raw bytes with its metadata in headers, or a prefix as a JSON listing.</summary>
public static partial class RestApi
{
    private static readonly string[] ReadParameters = ["prefix", "revision", "consistency", "limit"];

    private static Task GetKeyAsync(
        HttpContext context,
        string? key,
        [FromQuery] string? prefix,
        [FromQuery] string? revision,
        [FromQuery] string? consistency,
        [FromQuery] string? limit,
        [FromHeader(Name = "If-None-Match")] string? ifNoneMatch) =>
        RestCall.RunAsync(context, async call =>
        {
            RestQuery.EnsureKnown(context.Request.Query, ReadParameters);
            byte[] keyBytes = RestKey.FromRequest(context.Request, KvPrefix);
            bool isPrefix = RestQuery.Flag("prefix", prefix);
            var readRevision = new Revision(RestQuery.Number("revision", revision, 1, long.MaxValue, 0));
            bool serializable = RestQuery.Serializable(consistency);
            long keyLimit = RestQuery.Number("limit", limit, 1, call.Settings.MaxListKeys, call.Settings.MaxListKeys);
            if (!isPrefix && limit is not null)
            {
                throw RestErrors.BadRequest("query parameter 'limit' applies only to prefix listings (prefix=true)");
            }

            RequireKey(call, keyBytes, allowEmpty: isPrefix);
            if (!serializable)
            {
                await call.ReadBarrierAsync().ConfigureAwait(false);
            }

            if (isPrefix)
            {
                await ListAsync(call, keyBytes, readRevision, keyLimit).ConfigureAwait(false);
            }
            else
            {
                await ReadOneAsync(call, keyBytes, readRevision, RestPrecondition.ParseEntityTag(ifNoneMatch)).ConfigureAwait(false);
            }
        });

    private static async Task ReadOneAsync(RestCall call, byte[] key, Revision readRevision, RestPrecondition ifNoneMatch)
    {
        var result = call.Range(new RangeCommand { Key = key, Revision = readRevision });
        call.SetRevisionHeader(result.Revision);
        if (result.Kvs.Count == 0)
        {
            throw RestErrors.KeyNotFound(key, result.Revision);
        }

        var kv = result.Kvs[0];
        var headers = call.Context.Response.Headers;
        headers.ETag = RestCall.EntityTag(kv.ModRevision);
        headers[ModRevisionHeader] = kv.ModRevision.ToString();
        headers[CreateRevisionHeader] = kv.CreateRevision.ToString();
        headers[VersionHeader] = kv.Version.ToString(CultureInfo.InvariantCulture);
        if (kv.Lease.IsSet)
        {
            headers[LeaseHeader] = kv.Lease.ToString();
        }

        if (ifNoneMatch.IsSet && ifNoneMatch.Matches(kv.ModRevision))
        {
            call.Context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        call.Context.Response.StatusCode = StatusCodes.Status200OK;
        call.Context.Response.ContentType = "application/octet-stream";
        call.Context.Response.ContentLength = kv.Value.Length;
        if (!HttpMethods.IsHead(call.Context.Request.Method))
        {
            await call.Context.Response.Body.WriteAsync(kv.Value, call.Context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task ListAsync(RestCall call, byte[] prefix, Revision readRevision, long limit)
    {
        var result = call.Range(new RangeCommand
        {
            Key = prefix.Length == 0 ? KeyRanges.FromKey : prefix,
            RangeEnd = prefix.Length == 0 ? KeyRanges.FromKey : KeyRanges.PrefixEnd(prefix),
            Revision = readRevision,
            Limit = limit,
        });
        call.SetRevisionHeader(result.Revision);
        var listing = new RestKeyValueList
        {
            Revision = result.Revision.Value, Count = result.Count, More = result.More, Kvs = RestJson.KeyValues(result.Kvs),
        };
        return call.WriteJsonAsync(StatusCodes.Status200OK, listing, RestJson.Context.RestKeyValueList);
    }

    /// <summary>Refuses an empty key (unless the operation allows it: a listing of every key) and one over the store's limit.</summary>
    private static void RequireKey(RestCall call, byte[] key, bool allowEmpty)
    {
        if (key.Length == 0 && !allowEmpty)
        {
            throw RestErrors.BadRequest("the key is empty: put it in the path, as in /v1/kv/config/name");
        }

        int maxKeyBytes = call.Host.Store.Settings.MaxKeyBytes;
        if (key.Length > maxKeyBytes)
        {
            throw RestErrors.BadRequest($"the key is {key.Length} bytes; the limit is {maxKeyBytes}");
        }
    }
}
