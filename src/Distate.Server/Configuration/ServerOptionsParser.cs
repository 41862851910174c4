using System.Globalization;

namespace Distate.Server.Configuration;

/// <summary>
/// Reads <see cref="ServerOptions"/> from etcd-style flags (<c>--name x</c> or <c>--name=x</c>), falling back to
/// <c>DISTATE_*</c> environment variables (<c>--data-dir</c> ↔ <c>DISTATE_DATA_DIR</c>), then to the defaults.
/// </summary>
public static class ServerOptionsParser
{
    private static readonly ServerOptions Defaults = new();

    /// <summary>Every flag with what it sets and its default, in the order --help prints them.</summary>
    private static readonly (string Name, string Help, string Default)[] Known =
    [
        ("name", "Human-readable name of this member", Defaults.Name),
        ("data-dir", "Directory for the log, snapshots and state", Defaults.DataDir),
        ("listen-client-urls", "URLs to serve clients on (comma-separated)", Text(Defaults.ListenClientUrls)),
        ("advertise-client-urls", "Client URLs to tell the other members and clients about", "the listen client URLs"),
        ("listen-peer-urls", "URLs to accept peer traffic on", Text(Defaults.ListenPeerUrls)),
        ("initial-advertise-peer-urls", "This member's peer URLs as the others reach them", Text(Defaults.InitialAdvertisePeerUrls)),
        ("initial-cluster", "Founding members as name=peer-url,...", "<name>=<initial-advertise-peer-url>"),
        ("initial-cluster-state", "'new' to found a cluster, 'existing' to join one", Defaults.InitialClusterState),
        ("initial-cluster-token", "Names the cluster; members of different clusters never talk", Defaults.InitialClusterToken),
        ("heartbeat-interval", "Milliseconds between leader heartbeats (one Raft tick)", Text(Defaults.HeartbeatIntervalMs)),
        ("election-timeout", "Milliseconds without a leader before an election", Text(Defaults.ElectionTimeoutMs)),
        ("snapshot-count", "Applied entries between snapshots", Text(Defaults.SnapshotCount)),
        ("request-timeout", "Milliseconds a request waits for the cluster before a 503", Text(Defaults.RequestTimeoutMs)),
        ("max-request-bytes", "Largest request a client may send, as encoded in the log; every other size limit derives from it", Text(Defaults.MaxRequestBytes)),
        ("quota-backend-bytes", "Space quota of the store, counted as docs/store.md counts stored bytes; past it writes fail with 'database space exceeded' and a NOSPACE alarm is raised. Same on every member", Text(Defaults.QuotaBackendBytes)),
        ("auto-compaction-mode", "'periodic' (keep the retention period's history) or 'revision' (keep the last retention revisions)", Defaults.AutoCompactionMode),
        ("auto-compaction-retention", "History auto-compaction keeps: a duration (5m, 1h30m, 10s) or a bare number of hours in periodic mode, a revision count in revision mode; 0 turns it off", Defaults.AutoCompactionRetention),
        ("watch-progress-notify-interval", "Milliseconds between progress notifications to watchers that asked for them", Text(Defaults.WatchProgressNotifyIntervalMs)),
        ("disk-reserve-bytes", "Reserve kept on the data disk so a full disk turns the member read-only instead of stopping it (0: off)", Text(Defaults.DiskReserveBytes)),
    ];

    private static readonly string[] Flags = Known.Select(flag => flag.Name).ToArray();

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(IReadOnlyList<Uri> urls) => string.Join(",", urls.Select(url => url.ToString().TrimEnd('/')));

    /// <summary>The usage text: every flag, its environment variable and its default.</summary>
    public static string Usage()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Usage: distate [flags]    (every flag also reads DISTATE_<FLAG>, e.g. --data-dir from DISTATE_DATA_DIR)");
        text.AppendLine();
        foreach (var (name, help, fallback) in Known)
        {
            text.Append(CultureInfo.InvariantCulture, $"  --{name}").AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"      {help}. Default: {fallback}. Env: {EnvironmentName(name)}").AppendLine();
        }

        text.AppendLine();
        text.AppendLine("  --help       print this text");
        text.AppendLine("  --version    print the version");
        text.AppendLine();
        text.AppendLine("Docs: docs/server.md. A local 3-member cluster: scripts/cluster.sh up 3.");
        return text.ToString();
    }

    /// <summary>Parses flags and environment; throws <see cref="ArgumentException"/> with the offending flag.</summary>
    public static ServerOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var values = ReadFlags(args);
        foreach (var flag in Flags)
        {
            if (!values.ContainsKey(flag) && environment(EnvironmentName(flag)) is { Length: > 0 } fromEnvironment)
            {
                values[flag] = fromEnvironment;
            }
        }

        var defaults = new ServerOptions();
        var name = values.GetValueOrDefault("name") ?? defaults.Name;
        var peerUrls = Urls(values, "initial-advertise-peer-urls", defaults.InitialAdvertisePeerUrls);
        var options = new ServerOptions
        {
            Name = name,
            DataDir = values.GetValueOrDefault("data-dir") ?? defaults.DataDir,
            ListenClientUrls = Urls(values, "listen-client-urls", defaults.ListenClientUrls),
            AdvertiseClientUrls = Urls(values, "advertise-client-urls", Urls(values, "listen-client-urls", defaults.AdvertiseClientUrls)),
            ListenPeerUrls = Urls(values, "listen-peer-urls", defaults.ListenPeerUrls),
            InitialAdvertisePeerUrls = peerUrls,
            InitialCluster = values.TryGetValue("initial-cluster", out var cluster)
                ? ParseCluster(cluster)
                : new Dictionary<string, Uri> { [name] = peerUrls[0] },
            InitialClusterState = values.GetValueOrDefault("initial-cluster-state") ?? defaults.InitialClusterState,
            InitialClusterToken = values.GetValueOrDefault("initial-cluster-token") ?? defaults.InitialClusterToken,
            HeartbeatIntervalMs = Number(values, "heartbeat-interval", defaults.HeartbeatIntervalMs),
            ElectionTimeoutMs = Number(values, "election-timeout", defaults.ElectionTimeoutMs),
            SnapshotCount = Number(values, "snapshot-count", defaults.SnapshotCount),
            RequestTimeoutMs = Number(values, "request-timeout", defaults.RequestTimeoutMs),
            MaxRequestBytes = Number(values, "max-request-bytes", defaults.MaxRequestBytes),
            WatchProgressNotifyIntervalMs = Number(values, "watch-progress-notify-interval", defaults.WatchProgressNotifyIntervalMs),
            DiskReserveBytes = Number(values, "disk-reserve-bytes", defaults.DiskReserveBytes),
            QuotaBackendBytes = Number(values, "quota-backend-bytes", defaults.QuotaBackendBytes),
            AutoCompactionMode = values.GetValueOrDefault("auto-compaction-mode") ?? defaults.AutoCompactionMode,
            AutoCompactionRetention = values.GetValueOrDefault("auto-compaction-retention") ?? defaults.AutoCompactionRetention,
        };
        options.Validate();
        return options;
    }

    /// <summary>The environment variable that stands in for a flag: DISTATE_ + upper snake case.</summary>
    public static string EnvironmentName(string flag) => "DISTATE_" + flag.Replace('-', '_').ToUpperInvariant();

    private static Dictionary<string, string> ReadFlags(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'; flags look like --name value");
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var flag = equals >= 0 ? body[..equals] : body;
            if (Array.IndexOf(Flags, flag) < 0)
            {
                throw new ArgumentException($"unknown flag --{flag}; known flags: --{string.Join(", --", Flags)}");
            }

            if (equals >= 0)
            {
                values[flag] = body[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[flag] = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{flag} needs a value");
            }
        }

        return values;
    }

    private static IReadOnlyList<Uri> Urls(Dictionary<string, string> values, string flag, IReadOnlyList<Uri> fallback)
    {
        if (!values.TryGetValue(flag, out var text))
        {
            return fallback;
        }

        var urls = new List<Uri>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || url.Scheme != "http" || url.Port <= 0)
            {
                throw new ArgumentException($"--{flag}: '{part}' is not an http URL with a port (e.g. http://127.0.0.1:2379)");
            }

            urls.Add(url);
        }

        return urls.Count > 0 ? urls : throw new ArgumentException($"--{flag} needs at least one URL");
    }

    private static Dictionary<string, Uri> ParseCluster(string text)
    {
        var members = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !Uri.TryCreate(part[(equals + 1)..], UriKind.Absolute, out var url))
            {
                throw new ArgumentException($"--initial-cluster: '{part}' is not name=http://host:port");
            }

            if (!members.TryAdd(part[..equals], url))
            {
                throw new ArgumentException($"--initial-cluster: member '{part[..equals]}' appears twice");
            }
        }

        return members;
    }

    private static T Number<T>(Dictionary<string, string> values, string flag, T fallback) where T : System.Numerics.IBinaryInteger<T>
    {
        if (!values.TryGetValue(flag, out var text))
        {
            return fallback;
        }

        return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{flag}: '{text}' is not a whole number");
    }
}
