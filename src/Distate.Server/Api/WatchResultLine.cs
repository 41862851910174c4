using Distate.Store.Watch;

namespace Distate.Server.Api;

/// <summary>The fields of one etcdserverpb.WatchResponse as the gateway streams it ({"result":{...}}).</summary>
internal sealed record WatchResultLine
{
    /// <summary>The header revision; zero omits it (etcd sends none with a compaction cancel).</summary>
    public long HeaderRevision { get; init; }

    /// <summary>The watch on this stream; -1 for stream-wide answers (progress, refused creates).</summary>
    public long WatchId { get; init; }

    /// <summary>Answers a create request.</summary>
    public bool Created { get; init; }

    /// <summary>The watch has ended.</summary>
    public bool Canceled { get; init; }

    /// <summary>For a watch canceled by compaction, the compact revision.</summary>
    public long CompactRevision { get; init; }

    /// <summary>Why a create was refused.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The events, in revision order.</summary>
    public IReadOnlyList<WatchEvent> Events { get; init; } = [];
}
