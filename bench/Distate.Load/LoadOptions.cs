using System.Globalization;

namespace Distate.Load;

/// <summary>What a load run does, parsed from etcd-benchmark-like flags. Every run is bounded by time and by count.</summary>
internal sealed record LoadOptions
{
    /// <summary>Largest key space accepted: bodies for every key are encoded up front.</summary>
    public const int MaxKeySpace = 1_000_000;

    /// <summary>Largest value accepted, bytes (etcd's default request limit is 1.5 MiB).</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Most concurrent clients accepted (one connection each).</summary>
    public const int MaxClients = 4096;

    /// <summary>Most bytes of pre-encoded request bodies accepted.</summary>
    public const long MaxEncodedBodyBytes = 512L * 1024 * 1024;

    /// <summary>Client URLs of the members, e.g. http://127.0.0.1:22379 (--endpoints a,b,c).</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [new("http://127.0.0.1:2379")];

    /// <summary>The request mix (--workload).</summary>
    public Workload Workload { get; init; } = Workload.Put;

    /// <summary>Concurrent closed-loop clients, each with its own keep-alive connection (--clients).</summary>
    public int Clients { get; init; } = 64;

    /// <summary>Measured time after warm-up (--duration).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time spent sending load that is not measured, so connections, JIT and caches settle (--warmup).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Stop after this many measured requests even if time remains (--max-requests).</summary>
    public long MaxRequests { get; init; } = 100_000_000;

    /// <summary>Distinct keys the requests pick from, uniformly (--key-space).</summary>
    public int KeySpace { get; init; } = 10_000;

    /// <summary>Size of each value written, bytes (--value-bytes).</summary>
    public int ValueBytes { get; init; } = 256;

    /// <summary>Key prefix, so a run's keys are easy to find and delete (--key-prefix).</summary>
    public string KeyPrefix { get; init; } = "bench/";

    /// <summary>Where the clients send requests (--target).</summary>
    public Target Target { get; init; } = Target.Leader;

    /// <summary>Longest one request may take before it counts as an error (--request-timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest to wait for a leader before giving up (--leader-timeout).</summary>
    public TimeSpan LeaderTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Print one JSON object instead of the text summary (--json).</summary>
    public bool Json { get; init; }

    /// <summary>A name for the system under test, echoed in the summary (--label).</summary>
    public string Label { get; init; } = "";

    /// <summary>Requests per second across all clients, evenly paced (--rate); 0 sends as fast as the clients can.</summary>
    public int RatePerSecond { get; init; }

    /// <summary>Server process ids whose resident memory is reported after the run (--rss-pids).</summary>
    public IReadOnlyList<int> RssPids { get; init; } = [];

    /// <summary>The usage text printed for --help and after a bad flag.</summary>
    public const string Usage = """
        usage: Distate.Load --endpoints URL[,URL...] [--workload put|get-linearizable|get-serializable|fill]
                            [--clients 64] [--duration 10s] [--warmup 2s] [--max-requests N] [--key-space 10000]
                            [--value-bytes 256] [--key-prefix bench/] [--target leader|all|followers] [--request-timeout 10s]
                            [--label NAME] [--rss-pids PID,PID...] [--rate N] [--json]
          fill: puts every key of the key space once (no warm-up), so get workloads read existing keys.
          --rate: requests per second across all clients, evenly paced (0: as fast as possible), so two systems get the same load.
          durations: 10s, 500ms, 2m or plain seconds.
        """;

    /// <summary>Parses flags; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--json")
            {
                options = options with { Json = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{flag} needs a value");
            }

            options = Apply(options, flag, args[++i]);
        }

        options.Validate();
        return options;
    }

    private static LoadOptions Apply(LoadOptions options, string flag, string value) => flag switch
    {
        "--endpoints" => options with { Endpoints = ParseList(value, s => new Uri(s, UriKind.Absolute)) },
        "--workload" => options with { Workload = ParseWorkload(value) },
        "--clients" => options with { Clients = ParseInt(flag, value) },
        "--duration" => options with { Duration = ParseDuration(flag, value) },
        "--warmup" => options with { Warmup = ParseDuration(flag, value) },
        "--max-requests" => options with { MaxRequests = ParseInt(flag, value) },
        "--key-space" => options with { KeySpace = ParseInt(flag, value) },
        "--value-bytes" => options with { ValueBytes = ParseInt(flag, value) },
        "--key-prefix" => options with { KeyPrefix = value },
        "--target" => options with { Target = ParseTarget(value) },
        "--request-timeout" => options with { RequestTimeout = ParseDuration(flag, value) },
        "--leader-timeout" => options with { LeaderTimeout = ParseDuration(flag, value) },
        "--label" => options with { Label = value },
        "--rate" => options with { RatePerSecond = ParseInt(flag, value) },
        "--rss-pids" => options with { RssPids = ParseList(value, s => ParseInt(flag, s)) },
        _ => throw new ArgumentException($"unknown flag {flag}"),
    };

    private void Validate()
    {
        Require(Endpoints.Count > 0, "--endpoints needs at least one URL");
        Require(Clients is >= 1 and <= MaxClients, $"--clients must be 1..{MaxClients}");
        Require(Duration > TimeSpan.Zero, "--duration must be positive");
        Require(Warmup >= TimeSpan.Zero, "--warmup must not be negative");
        Require(MaxRequests >= 1, "--max-requests must be at least 1");
        Require(KeySpace is >= 1 and <= MaxKeySpace, $"--key-space must be 1..{MaxKeySpace}");
        Require(ValueBytes is >= 0 and <= MaxValueBytes, $"--value-bytes must be 0..{MaxValueBytes}");
        Require(RatePerSecond >= 0, "--rate must not be negative");
        Require(RequestTimeout > TimeSpan.Zero, "--request-timeout must be positive");
        var bodyBytes = (long)KeySpace * (ValueBytes * 4 / 3 + KeyPrefix.Length * 2 + 64);
        Require(bodyBytes <= MaxEncodedBodyBytes, $"--key-space × --value-bytes needs {bodyBytes} bytes of bodies; the limit is {MaxEncodedBodyBytes}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static Uri[] ParseList(string value, Func<string, Uri> parse) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();

    private static int[] ParseList(string value, Func<string, int> parse) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();

    private static int ParseInt(string flag, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{flag} must be an integer, not '{value}'");

    /// <summary>Parses 10s, 500ms, 2m or plain seconds.</summary>
    public static TimeSpan ParseDuration(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var (number, scale) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1.0),
            _ when value.EndsWith('m') => (value[..^1], 60.0),
            _ => (value, 1.0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0
            ? TimeSpan.FromSeconds(amount * scale)
            : throw new ArgumentException($"{flag} must be a duration such as 10s or 500ms, not '{value}'");
    }

    private static Workload ParseWorkload(string value) => value switch
    {
        "put" => Workload.Put,
        "get-linearizable" => Workload.GetLinearizable,
        "get-serializable" => Workload.GetSerializable,
        "fill" => Workload.Fill,
        _ => throw new ArgumentException($"--workload must be put, get-linearizable, get-serializable or fill, not '{value}'"),
    };

    private static Target ParseTarget(string value) => value switch
    {
        "leader" => Target.Leader,
        "all" => Target.All,
        "followers" => Target.Followers,
        _ => throw new ArgumentException($"--target must be leader, all or followers, not '{value}'"),
    };
}
