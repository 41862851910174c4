using System.Globalization;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Watch;
using Microsoft.AspNetCore.Mvc;

namespace Distate.Server.Rest;

/// <summary>GET /v1/watch: a key or prefix as a Server-Sent Events stream, resumable with Last-Event-ID.</summary>
public static partial class RestApi
{
    private static readonly string[] WatchParameters = ["prefix", "from_revision", "heartbeat_seconds"];

    private static Task WatchKeyAsync(
        HttpContext context,
        string? key,
        [FromQuery] string? prefix,
        [FromQuery(Name = "from_revision")] string? fromRevision,
        [FromQuery(Name = "heartbeat_seconds")] string? heartbeatSeconds,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId) =>
        RestCall.RunAsync(context, async call =>
        {
            RestQuery.EnsureKnown(context.Request.Query, WatchParameters);
            byte[] keyBytes = RestKey.FromRequest(context.Request, WatchPrefix);
            bool isPrefix = RestQuery.Flag("prefix", prefix);
            RequireKey(call, keyBytes, allowEmpty: isPrefix);
            long from = RestQuery.Number("from_revision", fromRevision, 1, long.MaxValue, 0);
            long heartbeat = RestQuery.Number(
                "heartbeat_seconds", heartbeatSeconds, 1, call.Settings.MaxHeartbeatSeconds, call.Settings.DefaultHeartbeatSeconds);
            // A reconnecting EventSource repeats the original URL and adds Last-Event-ID: the id wins over from_revision.
            var start = new Revision(lastEventId is not null ? ResumeAfter(lastEventId) + 1
                : from > 0 ? from
                : call.Host.Store.CurrentRevision.Value + 1);
            var streams = context.RequestServices.GetRequiredService<RestWatchStreams>();
            if (!streams.TryEnter())
            {
                throw new RestRequestException(StatusCodes.Status429TooManyRequests, new RestError
                {
                    Error = $"this member already serves {call.Settings.MaxWatchStreams} watch streams; retry later or use another member",
                    Code = "too_many_watchers",
                });
            }

            try
            {
                using var watcher = call.Host.Store.Watch(new WatchRequest
                {
                    Key = isPrefix && keyBytes.Length == 0 ? KeyRanges.FromKey : keyBytes,
                    RangeEnd = !isPrefix ? [] : keyBytes.Length == 0 ? KeyRanges.FromKey : KeyRanges.PrefixEnd(keyBytes),
                    StartRevision = start,
                });
                call.SetRevisionHeader(call.Host.Store.CurrentRevision);
                await RestWatchStream.RunAsync(context, watcher, start, TimeSpan.FromSeconds(heartbeat), call.Settings.WatchFlushEvents)
                    .ConfigureAwait(false);
            }
            finally
            {
                streams.Exit();
            }
        });

    /// <summary>The revision a reconnecting client already has all events of (the id of the last event it received).</summary>
    private static long ResumeAfter(string lastEventId)
    {
        if (!long.TryParse(lastEventId.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long revision) || revision == long.MaxValue)
        {
            throw RestErrors.BadRequest($"header Last-Event-ID must be the id of a received event (a revision number); got '{lastEventId}'");
        }

        return revision;
    }
}
