namespace Distate.Server.Forwarding;

/// <summary>
/// Which requests a follower relays to the leader over HTTP: the lease calls that read the leader's clock, membership
/// changes and alarms. Key-value writes (put, delete, txn, compaction, /v1/kv PUT and DELETE) are not relayed: the
/// follower checks them at its own door and its node driver forwards the encoded command to the leader over the peer
/// transport (src/Distate.Node/Driver/NodeDriver.Forwarding.cs), answering when the entry is applied here.
/// </summary>
public static class ForwardedRoutes
{
    /// <summary>The internal endpoint members publish their name and client URLs to.</summary>
    public const string PublishPath = "/distate/internal/publish";

    private static readonly HashSet<string> KeyValueWritePosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "/v3/kv/put", "/v3/kv/deleterange", "/v3/kv/txn", "/v3/kv/compaction",
    };

    private static readonly HashSet<string> LeaderOnlyPosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "/v3/maintenance/alarm",
        // Not /v3/lease/keepalive: a follower relays a keep-alive stream message by message itself (see
        // LeaderForwarder.KeepAliveOnLeaderAsync), because an open request body cannot be proxied as a whole.
        "/v3/lease/grant", "/v3/lease/revoke", "/v3/kv/lease/revoke",
        "/v3/lease/timetolive", "/v3/kv/lease/timetolive",
        "/v3/cluster/member/add", "/v3/cluster/member/remove", "/v3/cluster/member/promote", "/v3/cluster/member/update",
        PublishPath, "/v1/leases",
    };

    /// <summary>True for a key-value write. A follower whose disk is full relays these over HTTP too: it takes no new
    /// entries from the leader, so it could not apply (and answer) a write its driver forwarded.</summary>
    public static bool IsKeyValueWrite(string method, PathString path)
    {
        var value = path.Value ?? "";
        return HttpMethods.IsPost(method)
            ? KeyValueWritePosts.Contains(value)
            : (HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)) && value.StartsWith("/v1/kv/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the method and path name a leader-only operation.</summary>
    public static bool IsLeaderOnly(string method, PathString path)
    {
        var value = path.Value ?? "";
        if (HttpMethods.IsPost(method))
        {
            return LeaderOnlyPosts.Contains(value) || value.StartsWith("/v1/leases/", StringComparison.OrdinalIgnoreCase);
        }

        if (HttpMethods.IsPut(method) || HttpMethods.IsDelete(method))
        {
            return value.StartsWith("/v1/leases/", StringComparison.OrdinalIgnoreCase);
        }

        return HttpMethods.IsGet(method) && value.StartsWith("/v1/leases/", StringComparison.OrdinalIgnoreCase);
    }
}
