using System.Globalization;

namespace Distate.Server.Configuration;

/// <summary>
/// Reads <see cref="ServerOptions"/> from etcd-style flags (<c>--name x</c> or <c>--name=x</c>), falling back to
/// <c>DISTATE_*</c> environment variables (<c>--data-dir</c> ↔ <c>DISTATE_DATA_DIR</c>), then to the defaults.
/// </summary>
public static class ServerOptionsParser
{
    private static readonly string[] Flags =
    [
        "name", "data-dir", "listen-client-urls", "advertise-client-urls", "listen-peer-urls",
        "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-state", "initial-cluster-token", "heartbeat-interval",
        "election-timeout", "snapshot-count", "request-timeout", "max-request-bytes", "watch-progress-notify-interval",
    ];

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
            HeartbeatIntervalMs = Int(values, "heartbeat-interval", defaults.HeartbeatIntervalMs),
            ElectionTimeoutMs = Int(values, "election-timeout", defaults.ElectionTimeoutMs),
            SnapshotCount = Int(values, "snapshot-count", defaults.SnapshotCount),
            RequestTimeoutMs = Int(values, "request-timeout", defaults.RequestTimeoutMs),
            MaxRequestBytes = Int(values, "max-request-bytes", defaults.MaxRequestBytes),
            WatchProgressNotifyIntervalMs = Int(values, "watch-progress-notify-interval", defaults.WatchProgressNotifyIntervalMs),
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

    private static int Int(Dictionary<string, string> values, string flag, int fallback)
    {
        if (!values.TryGetValue(flag, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{flag}: '{text}' is not a whole number");
    }
}
