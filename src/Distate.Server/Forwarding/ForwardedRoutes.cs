namespace Distate.Server.Forwarding;

/// <summary>Which requests only the leader can answer: every write, and the lease calls that read the leader's clock.</summary>
public static class ForwardedRoutes
{
    /// <summary>The internal endpoint members publish their name and client URLs to.</summary>
    public const string PublishPath = "/distate/internal/publish";

    private static readonly HashSet<string> LeaderOnlyPosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "/v3/kv/put", "/v3/kv/deleterange", "/v3/kv/txn", "/v3/kv/compaction", "/v3/maintenance/alarm",
        // Not /v3/lease/keepalive: a follower relays a keep-alive stream message by message itself (see
        // LeaderForwarder.KeepAliveOnLeaderAsync), because an open request body cannot be proxied as a whole.
        "/v3/lease/grant", "/v3/lease/revoke", "/v3/kv/lease/revoke",
        "/v3/lease/timetolive", "/v3/kv/lease/timetolive",
        "/v3/cluster/member/add", "/v3/cluster/member/remove", "/v3/cluster/member/promote", "/v3/cluster/member/update",
        PublishPath, "/v1/leases",
    };

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
            return value.StartsWith("/v1/kv/", StringComparison.OrdinalIgnoreCase) || value.StartsWith("/v1/leases/", StringComparison.OrdinalIgnoreCase);
        }

        return HttpMethods.IsGet(method) && value.StartsWith("/v1/leases/", StringComparison.OrdinalIgnoreCase);
    }
}
