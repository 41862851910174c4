using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Distate.Raft;
using Distate.Server.Configuration;

namespace Distate.Server.Tests.Cluster;

/// <summary>
/// Real members in this process on loopback: member i listens on 127.0.0.i (clients and peers), so address-based
/// faults name exactly one member. Members can be stopped and restarted from their data dirs, and new members can
/// join. Waits poll real state with a deadline; nothing sleeps to synchronise.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    /// <summary>Longest any wait for the cluster lasts before the test fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "distate-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<ServerOptions> _options = [];
    private readonly List<Distate.Server.Node.NodeSeams?> _seams = [];

    private LoopbackCluster(HttpClient client) => Client = client;

    /// <summary>Running members by position (null while stopped).</summary>
    public List<DistateServer?> Members { get; } = [];

    /// <summary>A client for requests (20 s timeout).</summary>
    public HttpClient Client { get; }

    /// <summary>The running members.</summary>
    public IEnumerable<DistateServer> Live => Members.Where(member => member is not null).Select(member => member!);

    /// <summary>Starts <paramref name="size"/> founding members; <paramref name="configure"/> adjusts each one's options and
    /// <paramref name="seams"/> gives member i (from 0) its fault-injection seams.</summary>
    public static async Task<LoopbackCluster> StartAsync(
        int size, Func<ServerOptions, ServerOptions>? configure = null, Func<int, Distate.Server.Node.NodeSeams?>? seams = null)
    {
        var cluster = new LoopbackCluster(new HttpClient { Timeout = TimeSpan.FromSeconds(20) });
        var founders = new Dictionary<string, Uri>();
        var clientUrls = new List<Uri>();
        for (var i = 1; i <= size; i++)
        {
            founders[$"m{i}"] = new Uri($"http://127.0.0.{i}:{FreePort()}");
            clientUrls.Add(new Uri($"http://127.0.0.{i}:{FreePort()}"));
        }

        for (var i = 1; i <= size; i++)
        {
            var options = cluster.OptionsFor($"m{i}", founders[$"m{i}"], clientUrls[i - 1], founders, "new");
            cluster._options.Add(configure is null ? options : configure(options));
            cluster._seams.Add(seams?.Invoke(i - 1));
        }

        var starts = cluster._options.Select((options, i) => DistateServer.StartAsync(options, cluster._seams[i])).ToList();
        foreach (var start in starts)
        {
            cluster.Members.Add(await start);
        }

        return cluster;
    }

    /// <summary>Options for a member named <paramref name="name"/> at the next loopback address.</summary>
    public ServerOptions OptionsFor(string name, Uri peerUrl, Uri clientUrl, IReadOnlyDictionary<string, Uri> cluster, string state) => new()
    {
        Name = name, DataDir = Path.Combine(_root, name), ListenClientUrls = [clientUrl], AdvertiseClientUrls = [clientUrl],
        ListenPeerUrls = [peerUrl], InitialAdvertisePeerUrls = [peerUrl], InitialCluster = cluster, InitialClusterState = state,
        HeartbeatIntervalMs = 20, ElectionTimeoutMs = 200,
    };

    /// <summary>The peer URLs of every member started so far, by name.</summary>
    public Dictionary<string, Uri> PeerUrls => _options.ToDictionary(options => options.Name, options => options.InitialAdvertisePeerUrls[0]);

    /// <summary>Starts a member that joins with --initial-cluster-state existing (after member add).</summary>
    public async Task<DistateServer> JoinAsync(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options.Add(options);
        _seams.Add(null);
        var server = await DistateServer.StartAsync(options);
        Members.Add(server);
        return server;
    }

    /// <summary>Stops member <paramref name="index"/> (its data dir stays).</summary>
    public async Task StopAsync(int index)
    {
        if (Members[index] is { } member)
        {
            Members[index] = null;
            await member.DisposeAsync();
        }
    }

    /// <summary>Restarts member <paramref name="index"/> from its data dir.</summary>
    public async Task<DistateServer> RestartAsync(int index)
    {
        var server = await DistateServer.StartAsync(_options[index], _seams[index]);
        Members[index] = server;
        return server;
    }

    /// <summary>Waits for one leader that every member in <paramref name="among"/> (default: all live) agrees on.</summary>
    public async Task<DistateServer> WaitForLeaderAsync(IEnumerable<DistateServer>? among = null)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var group = (among ?? Live).ToList();
            var leaders = group.Where(m => m.Host.Status.Role == StateRole.Leader).ToList();
            if (leaders.Count == 1 && group.All(m => m.Host.Status.Leader == leaders[0].Host.Id))
            {
                return leaders[0];
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test after <see cref="Deadline"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up after {Deadline.TotalSeconds} s waiting until {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until every live member's name and client URLs are in the directory (so followers can forward).</summary>
    public Task WaitForPublishedAsync() =>
        WaitUntilAsync(() => Task.FromResult(Live.All(m => m.Host.IsPublished)), "every member has published");

    /// <summary>POSTs a JSON body to a member; returns status, parsed JSON (null when not JSON) and the raw response.</summary>
    public async Task<Reply> PostAsync(DistateServer member, string path, string body)
    {
        ArgumentNullException.ThrowIfNull(member);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri(member.ClientUrl, path), content);
        return await ReplyOf(response);
    }

    /// <summary>GETs a path from a member.</summary>
    public async Task<Reply> GetAsync(DistateServer member, string path)
    {
        ArgumentNullException.ThrowIfNull(member);
        using var response = await Client.GetAsync(new Uri(member.ClientUrl, path));
        return await ReplyOf(response);
    }

    private static async Task<Reply> ReplyOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.First() : null;
        return new Reply(response.StatusCode, text, retryAfter);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Members.Count; i++)
        {
            await StopAsync(i);
        }

        Client.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Base64 of a UTF-8 string, as the etcd gateway wants bytes.</summary>
    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A member's answer.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Text">The body.</param>
/// <param name="RetryAfter">The Retry-After header, if any.</param>
public sealed record Reply(HttpStatusCode Status, string Text, string? RetryAfter)
{
    /// <summary>The body parsed as JSON.</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Text);
            return document.RootElement.Clone();
        }
    }
}
