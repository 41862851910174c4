using System.Text.Json;
using Distate.Store;
using Distate.Store.Watch;

namespace Distate.Server.Api;

/// <summary>One parsed message of a /v3/watch request stream (etcdserverpb.WatchRequest).</summary>
internal sealed record WatchStreamMessage
{
    private static readonly string[] RequestFields = ["create_request", "cancel_request", "progress_request"];
    private static readonly string[] CreateFields =
        ["key", "range_end", "start_revision", "progress_notify", "filters", "prev_kv", "watch_id", "fragment"];

    /// <summary>Which request this is.</summary>
    public WatchStreamMessageKind Kind { get; init; }

    /// <summary>For a create, what to watch (StartRevision 0 means "from the next revision").</summary>
    public WatchRequest? Create { get; init; }

    /// <summary>For a create, the id the client asked for (0 lets the stream pick); for a cancel, the watch to cancel.</summary>
    public long WatchId { get; init; }

    /// <summary>Parses one message; throws <see cref="BadRequestException"/> naming what is wrong.</summary>
    public static WatchStreamMessage Parse(JsonElement root)
    {
        JsonRequest.From(root, "etcdserverpb.WatchRequest", RequestFields);
        WatchStreamMessageKind kind = WatchStreamMessageKind.None;
        JsonElement body = default;
        foreach (var (name, candidate) in new[]
        {
            ("create_request", WatchStreamMessageKind.Create),
            ("cancel_request", WatchStreamMessageKind.Cancel),
            ("progress_request", WatchStreamMessageKind.Progress),
        })
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                if (kind != WatchStreamMessageKind.None)
                {
                    throw new BadRequestException("etcdserverpb.WatchRequest must set only one of create_request, cancel_request, progress_request");
                }

                kind = candidate;
                body = value;
            }
        }

        return kind switch
        {
            WatchStreamMessageKind.Create => ParseCreate(JsonRequest.From(body, "etcdserverpb.WatchCreateRequest", CreateFields)),
            WatchStreamMessageKind.Cancel => new WatchStreamMessage
            {
                Kind = kind,
                WatchId = JsonRequest.From(body, "etcdserverpb.WatchCancelRequest", "watch_id").Int64("watch_id"),
            },
            WatchStreamMessageKind.Progress => ParseProgress(body),
            _ => new WatchStreamMessage { Kind = WatchStreamMessageKind.None },
        };
    }

    private static WatchStreamMessage ParseCreate(JsonRequest create)
    {
        bool noPut = false;
        bool noDelete = false;
        foreach (var filter in create.Elements("filters"))
        {
            int type = FilterType(filter);
            noPut |= type == 0;
            noDelete |= type == 1;
        }

        byte[] key = create.Bytes("key");
        create.Bool("fragment"); // Accepted and validated; responses are never split, since HTTP has no message size limit to fit.
        return new WatchStreamMessage
        {
            Kind = WatchStreamMessageKind.Create,
            WatchId = create.Int64("watch_id"),
            Create = new WatchRequest
            {
                // As etcd does: an empty key means "\0", the smallest key.
                Key = key.Length == 0 ? [0] : key,
                RangeEnd = create.Bytes("range_end"),
                StartRevision = new Revision(Math.Max(0, create.Int64("start_revision"))),
                ProgressNotify = create.Bool("progress_notify"),
                PrevKv = create.Bool("prev_kv"),
                NoPut = noPut,
                NoDelete = noDelete,
            },
        };
    }

    private static WatchStreamMessage ParseProgress(JsonElement body)
    {
        JsonRequest.From(body, "etcdserverpb.WatchProgressRequest");
        return new WatchStreamMessage { Kind = WatchStreamMessageKind.Progress };
    }

    /// <summary>A FilterType by name or number: 0 NOPUT, 1 NODELETE.</summary>
    private static int FilterType(JsonElement filter)
    {
        if (filter.ValueKind == JsonValueKind.String && filter.GetString() is "NOPUT" or "NODELETE")
        {
            return filter.GetString() == "NOPUT" ? 0 : 1;
        }

        if (filter.ValueKind == JsonValueKind.Number && filter.TryGetInt32(out int number) && number is 0 or 1)
        {
            return number;
        }

        throw new BadRequestException("field \"filters\" in etcdserverpb.WatchCreateRequest must hold only NOPUT or NODELETE");
    }
}
