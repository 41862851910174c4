using Distate.Server.Compaction;

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

    /// <summary>Largest request a client may send, as it enters the log (the encoded command), bytes
    /// (--max-request-bytes; etcd's default 1.5 MiB). Every other size limit derives from it: see <see cref="ServerLimits"/>.</summary>
    public int MaxRequestBytes { get; init; } = 1536 * 1024;

    /// <summary>The store's space quota in bytes, counted as docs/store.md counts stored bytes (--quota-backend-bytes;
    /// etcd's default 2 GiB). Must be the same on every member.</summary>
    public long QuotaBackendBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How the leader picks the revision to compact to: "periodic" or "revision" (--auto-compaction-mode).</summary>
    public string AutoCompactionMode { get; init; } = "periodic";

    /// <summary>History kept by auto-compaction (--auto-compaction-retention): a duration such as "5m" or a bare number of
    /// hours in periodic mode, a revision count in revision mode; "0" turns it off. Distate's default keeps 5 minutes so
    /// memory stays bounded out of the box (etcd's default is off).</summary>
    public string AutoCompactionRetention { get; init; } = "5m";

    /// <summary>The auto-compaction policy the two flags above describe (throws <see cref="ArgumentException"/> when invalid).</summary>
    public AutoCompactionPolicy AutoCompaction => AutoCompactionPolicy.Parse(AutoCompactionMode, AutoCompactionRetention);

    /// <summary>Bytes kept in a reserve file beside the log (--disk-reserve-bytes; 0 disables it). When the disk fills up,
    /// the member deletes the reserve to finish the write that failed and stays up read-only instead of stopping; writes
    /// are accepted again once the disk has room for the reserve and as much again.</summary>
    public long DiskReserveBytes { get; init; } = 64L * 1024 * 1024;

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
        Require(MaxRequestBytes is >= 1024 and <= ServerLimits.MaxRequestBytesCeiling, "--max-request-bytes",
            $"must be in [1024, {ServerLimits.MaxRequestBytesCeiling}] (a log page holds one request)");
        Require(QuotaBackendBytes is >= 1024 * 1024 and <= 2L * 1024 * 1024 * 1024, "--quota-backend-bytes", "must be in [1 MiB, 2 GiB]");
        Require(DiskReserveBytes is >= 0 and <= 64L * 1024 * 1024 * 1024, "--disk-reserve-bytes", "must be in [0, 64 GiB]");
        _ = AutoCompaction;
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
