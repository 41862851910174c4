using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Distate.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace Distate.Server.Tests;

/// <summary>A real single-member cluster on a free loopback port with its own data dir, and a JSON client for it.</summary>
internal sealed class LoopbackMember : IAsyncDisposable
{
    private readonly string _dataDir;

    private LoopbackMember(DistateServer server, string dataDir)
    {
        Server = server;
        _dataDir = dataDir;
        Client = new HttpClient { BaseAddress = server.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>The running member.</summary>
    public DistateServer Server { get; }

    /// <summary>A client for its gateway.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a member; <paramref name="seams"/> and <paramref name="logging"/> inject faults and capture logs.</summary>
    public static async Task<LoopbackMember> StartAsync(
        Func<ServerOptions, ServerOptions>? configure = null, Distate.Server.Node.NodeSeams? seams = null, Action<ILoggingBuilder>? logging = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "distate-test-" + Guid.NewGuid().ToString("N"));
        var port = Cluster.LoopbackCluster.FreePort();
        var options = new ServerOptions
        {
            DataDir = dataDir,
            ListenClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            AdvertiseClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            HeartbeatIntervalMs = 20,
            ElectionTimeoutMs = 200,
        };
        return new LoopbackMember(await DistateServer.StartAsync(configure is null ? options : configure(options), seams, logging), dataDir);
    }

    /// <summary>Posts a JSON body and parses the JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Puts a key (given as text) and returns the revision of the put.</summary>
    public async Task<long> PutAsync(string key, string value)
    {
        var put = await PostAsync("/v3/kv/put", $$$"""{"key":"{{{B64(key)}}}","value":"{{{B64(value)}}}"}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        return Revision(put.Json);
    }

    /// <summary>The store's current revision, through a linearizable range.</summary>
    public async Task<long> CurrentRevisionAsync()
    {
        var range = await PostAsync("/v3/kv/range", """{"key":"AA==","range_end":"AA==","count_only":true}""");
        return Revision(range.Json);
    }

    /// <summary>The header revision of an answer.</summary>
    public static long Revision(JsonElement answer) => Int64(answer.GetProperty("header"), "revision");

    /// <summary>An int64 field written as a string (0 when omitted, as proto3 JSON does).</summary>
    public static long Int64(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : 0;

    /// <summary>Base64 of a text's UTF-8 bytes.</summary>
    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Text of a base64 field.</summary>
    public static string Text(JsonElement element, string name) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(element.GetProperty(name).GetString()!));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
