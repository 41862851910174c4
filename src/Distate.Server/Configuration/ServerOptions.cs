namespace Distate.Server.Configuration;

/// <summary>A node's settings, named as etcd names them so etcd users feel at home.</summary>
public sealed record ServerOptions
{
    /// <summary>Human-readable member name (--name).</summary>
    public string Name { get; init; } = "default";

    /// <summary>Directory for the log, snapshots and state (--data-dir).</summary>
    public string DataDir { get; init; } = "./data";

    /// <summary>URLs to serve clients on (--listen-client-urls).</summary>
    public IReadOnlyList<Uri> ListenClientUrls { get; init; } = [new("http://127.0.0.1:2379")];

    /// <summary>Client URLs to tell others about (--advertise-client-urls).</summary>
    public IReadOnlyList<Uri> AdvertiseClientUrls { get; init; } = [new("http://127.0.0.1:2379")];

    /// <summary>URLs to accept peer traffic on (--listen-peer-urls).</summary>
    public IReadOnlyList<Uri> ListenPeerUrls { get; init; } = [new("http://127.0.0.1:2380")];

    /// <summary>This member's peer URLs as the others reach them (--initial-advertise-peer-urls).</summary>
    public IReadOnlyList<Uri> InitialAdvertisePeerUrls { get; init; } = [new("http://127.0.0.1:2380")];

    /// <summary>Founding members as name → peer URL (--initial-cluster name=url,...).</summary>
    public IReadOnlyDictionary<string, Uri> InitialCluster { get; init; } =
        new Dictionary<string, Uri> { ["default"] = new("http://127.0.0.1:2380") };

    /// <summary>Names the cluster; its id is derived from it, so joiners and founders agree (--initial-cluster-token).
    /// Give each cluster its own token so members of different clusters never talk to each other.</summary>
    public string InitialClusterToken { get; init; } = "distate-cluster";

    /// <summary>"new" to found a cluster, "existing" to join one (--initial-cluster-state).</summary>
    public string InitialClusterState { get; init; } = "new";

    /// <summary>Milliseconds between leader heartbeats: one Raft tick (--heartbeat-interval).</summary>
    public int HeartbeatIntervalMs { get; init; } = 100;

    /// <summary>Milliseconds without a leader before an election (--election-timeout).</summary>
    public int ElectionTimeoutMs { get; init; } = 1000;

    /// <summary>Applied entries between snapshots of the store (--snapshot-count).</summary>
    public int SnapshotCount { get; init; } = 100_000;

    /// <summary>Longest a client request waits for the cluster before 503 (--request-timeout, ms).</summary>
    public int RequestTimeoutMs { get; init; } = 5000;

    /// <summary>Largest request body accepted, bytes (--max-request-bytes).</summary>
    public int MaxRequestBytes { get; init; } = (int)(1.5 * 1024 * 1024) + 64 * 1024;

    /// <summary>How often watchers that asked for progress_notify get a progress notification (--watch-progress-notify-interval, ms; etcd's default 10 min).</summary>
    public int WatchProgressNotifyIntervalMs { get; init; } = 600_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Name), "--name", "must not be empty");
        Require(!string.IsNullOrWhiteSpace(DataDir), "--data-dir", "must not be empty");
        Require(ListenClientUrls.Count > 0, "--listen-client-urls", "needs at least one URL");
        Require(HeartbeatIntervalMs >= 1, "--heartbeat-interval", "must be at least 1 ms");
        Require(ElectionTimeoutMs >= 5 * HeartbeatIntervalMs, "--election-timeout", "must be at least 5 heartbeat intervals");
        Require(InitialClusterState is "new" or "existing", "--initial-cluster-state", "must be 'new' or 'existing'");
        Require(InitialCluster.ContainsKey(Name), "--initial-cluster", $"must name this member ('{Name}')");
        Require(!string.IsNullOrWhiteSpace(InitialClusterToken), "--initial-cluster-token", "must not be empty");
        Require(InitialAdvertisePeerUrls.Count > 0, "--initial-advertise-peer-urls", "needs at least one URL");
        Require(SnapshotCount >= 100, "--snapshot-count", "must be at least 100");
        Require(RequestTimeoutMs >= 100, "--request-timeout", "must be at least 100 ms");
        Require(MaxRequestBytes >= 1024, "--max-request-bytes", "must be at least 1024");
        Require(WatchProgressNotifyIntervalMs >= 100, "--watch-progress-notify-interval", "must be at least 100 ms");
    }

    /// <summary>Election timeout in ticks of one heartbeat interval.</summary>
    public int ElectionTimeoutTicks => ElectionTimeoutMs / HeartbeatIntervalMs;

    private static void Require(bool condition, string flag, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"{flag} {problem}.");
        }
    }
}
