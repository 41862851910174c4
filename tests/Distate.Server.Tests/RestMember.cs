using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Distate.Server.Configuration;
using Distate.Store;

namespace Distate.Server.Tests;

/// <summary>One real single-member cluster on a free loopback port with its own data directory, plus an HTTP client for
/// the REST API. Shared by the REST test classes as a class fixture (tests in one class run one after another).</summary>
public sealed class RestMember : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "distate-rest-" + Guid.NewGuid().ToString("N"));

    public DistateServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public KvStore Store => Server.Host.Store;

    /// <summary>The node.</summary>
    public Distate.Server.Node.RaftHost Host => Server.Host;

    public async Task InitializeAsync()
    {
        var port = Cluster.LoopbackCluster.FreePort();
        Server = await DistateServer.StartAsync(new ServerOptions
        {
            DataDir = _dataDir,
            ListenClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            AdvertiseClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            HeartbeatIntervalMs = 20,
            ElectionTimeoutMs = 200,
        });
        Client = new HttpClient { BaseAddress = Server.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    /// <summary>PUTs raw bytes, with optional extra headers, and returns the response.</summary>
    public async Task<HttpResponseMessage> PutAsync(string path, byte[] value, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Address(path)) { Content = new ByteArrayContent(value) };
        foreach (var (name, headerValue) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, headerValue);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>Sends a request with optional headers and returns the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, Address(path));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>The absolute address of a path, sent exactly as written (no unescaping, no dot or slash clean-up), so tests
    /// control every byte of the request target.</summary>
    public Uri Address(string path) =>
        new(Server.ClientUrl.GetLeftPart(UriPartial.Authority) + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <summary>The single value of a response header (content headers included).</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    /// <summary>The mod revision in a response's ETag.</summary>
    public static long EntityTag(HttpResponseMessage response) =>
        long.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
}
