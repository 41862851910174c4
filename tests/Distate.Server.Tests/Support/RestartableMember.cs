using System.Net;
using Distate.Server.Configuration;
using Distate.Server.Node;

namespace Distate.Server.Tests.Support;

/// <summary>A single member on a free loopback port that can be stopped and started again on its data dir, with seams.</summary>
public sealed class RestartableMember : IAsyncDisposable
{
    private readonly NodeSeams _seams;
    private readonly bool _ownsDataDir;

    private RestartableMember(ServerOptions options, NodeSeams seams, bool ownsDataDir)
    {
        Options = options;
        _seams = seams;
        _ownsDataDir = ownsDataDir;
        Client = new HttpClient { BaseAddress = options.ListenClientUrls[0], Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>The member's options.</summary>
    public ServerOptions Options { get; }

    /// <summary>The running server (null while stopped).</summary>
    public DistateServer? Server { get; private set; }

    /// <summary>A client for the member's port.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a member in <paramref name="dataDir"/> (a new temp dir, removed at the end, when null).</summary>
    public static async Task<RestartableMember> StartAsync(NodeSeams seams, Func<ServerOptions, ServerOptions>? configure = null, string? dataDir = null)
    {
        var port = Cluster.LoopbackCluster.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var options = new ServerOptions
        {
            DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "distate-test-" + Guid.NewGuid().ToString("N")),
            ListenClientUrls = [url], AdvertiseClientUrls = [url], HeartbeatIntervalMs = 20, ElectionTimeoutMs = 200,
        };
        var member = new RestartableMember(configure is null ? options : configure(options), seams, ownsDataDir: dataDir is null);
        await member.RestartAsync();
        return member;
    }

    /// <summary>Stops the member (if running) and starts it again from its data dir.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        Server = await DistateServer.StartAsync(Options, _seams);
        // A lone voter publishes itself right after start: let that write land before a test arms a fault.
        await Server.Host.Published.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the member; its data dir stays.</summary>
    public async Task StopAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.DisposeAsync();
        }
    }

    /// <summary>PUTs raw bytes under /v1/kv/{key}.</summary>
    public async Task<HttpStatusCode> PutAsync(string key, byte[] value)
    {
        using var content = new ByteArrayContent(value);
        using var response = await Client.PutAsync(new Uri("/v1/kv/" + key, UriKind.Relative), content);
        return response.StatusCode;
    }

    /// <summary>GETs a path; returns the status and the body.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        if (_ownsDataDir && Directory.Exists(Options.DataDir))
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
    }
}
