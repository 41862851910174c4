using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Distate.Server.Configuration;

namespace Distate.Server.Tests;

/// <summary>
/// Proves a single real member on loopback answers the etcd v3 JSON gateway as etcd does: shapes (base64, int64 as
/// strings, zero fields omitted, header), errors as {"error","code","message"} with the gRPC code's HTTP status,
/// bad input refused with 400 and nothing changed, and data kept across a restart from the data dir.
/// </summary>
public sealed class SingleNodeGatewayTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "distate-test-" + Guid.NewGuid().ToString("N"));
    private DistateServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync().ConfigureAwait(false);
        _client = new HttpClient { BaseAddress = _server.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Put_then_range_returns_the_value_with_etcd_shapes()
    {
        var put = await PostAsync("/v3/kv/put", """{"key":"Zm9v","value":"YmFy"}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        var header = put.Json.GetProperty("header");
        Assert.Equal(JsonValueKind.String, header.GetProperty("revision").ValueKind);
        Assert.Equal(_server.Host.Id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), header.GetProperty("member_id").GetString());
        Assert.False(put.Json.TryGetProperty("prev_kv", out _));

        var range = await PostAsync("/v3/kv/range", """{"key":"Zm9v"}""");
        var kv = range.Json.GetProperty("kvs")[0];
        Assert.Equal("YmFy", kv.GetProperty("value").GetString());
        Assert.Equal("1", kv.GetProperty("version").GetString());
        Assert.Equal(header.GetProperty("revision").GetString(), kv.GetProperty("mod_revision").GetString());
        Assert.False(kv.TryGetProperty("lease", out _));
        Assert.Equal("1", range.Json.GetProperty("count").GetString());
        Assert.False(range.Json.TryGetProperty("more", out _));
    }

    [Fact]
    public async Task Prefix_range_serializable_and_delete_with_prev_kv()
    {
        foreach (var key in new[] { "a/1", "a/2", "b/1" })
        {
            await PostAsync("/v3/kv/put", $$"""{"key":"{{B64(key)}}","value":"{{B64("v")}}"}""");
        }

        var prefix = await PostAsync("/v3/kv/range", $$"""{"key":"{{B64("a/")}}","range_end":"{{B64("a0")}}","serializable":true}""");
        Assert.Equal("2", prefix.Json.GetProperty("count").GetString());

        var limited = await PostAsync("/v3/kv/range", $$"""{"key":"AA==","range_end":"AA==","limit":1}""");
        Assert.True(limited.Json.GetProperty("more").GetBoolean());
        Assert.Single(limited.Json.GetProperty("kvs").EnumerateArray());

        var deleted = await PostAsync("/v3/kv/deleterange", $$"""{"key":"{{B64("a/")}}","range_end":"{{B64("a0")}}","prev_kv":true}""");
        Assert.Equal("2", deleted.Json.GetProperty("deleted").GetString());
        Assert.Equal(2, deleted.Json.GetProperty("prev_kvs").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"key":"Zm9v",""", "malformed JSON")]
    [InlineData("""{"key":"!!notbase64"}""", "not valid base64")]
    [InlineData("""{"key":"Zm9v","bogus":1}""", "unknown field \"bogus\"")]
    [InlineData("""{"key":"Zm9v","lease":"abc"}""", "field \"lease\"")]
    [InlineData("""{"key":"Zm9v","prev_kv":"yes"}""", "must be true or false")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"value":"YmFy"}""", "etcdserver: key is not provided")]
    public async Task Bad_input_gets_400_with_a_json_error_and_changes_nothing(string body, string expected)
    {
        var before = await PostAsync("/v3/kv/range", """{"key":"AA==","range_end":"AA=="}""");
        var response = await PostAsync("/v3/kv/put", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, response.Json.GetProperty("code").GetInt32());
        var after = await PostAsync("/v3/kv/range", """{"key":"AA==","range_end":"AA=="}""");
        Assert.Equal(
            before.Json.GetProperty("header").GetProperty("revision").GetString(),
            after.Json.GetProperty("header").GetProperty("revision").GetString());
    }

    [Fact]
    public async Task Oversize_request_is_refused_with_400()
    {
        // The limit is on the request as it enters the log (the decoded value), not on its base64 spelling.
        var huge = Convert.ToBase64String(new byte[_server.Options.MaxRequestBytes + 1]);
        var response = await PostAsync("/v3/kv/put", $$"""{"key":"Zm9v","value":"{{huge}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("request is too large", response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Future_and_compacted_revisions_get_etcd_errors()
    {
        await PostAsync("/v3/kv/put", """{"key":"Zm9v","value":"MQ=="}""");
        var second = await PostAsync("/v3/kv/put", """{"key":"Zm9v","value":"Mg=="}""");
        var revision = long.Parse(second.Json.GetProperty("header").GetProperty("revision").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        var future = await PostAsync("/v3/kv/range", $$"""{"key":"Zm9v","revision":"{{revision + 10}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, future.Status);
        Assert.Equal("etcdserver: mvcc: required revision is a future revision", future.Json.GetProperty("error").GetString());
        Assert.Equal(11, future.Json.GetProperty("code").GetInt32());

        var compact = await PostAsync("/v3/kv/compaction", $$"""{"revision":"{{revision}}"}""");
        Assert.Equal(HttpStatusCode.OK, compact.Status);
        var compacted = await PostAsync("/v3/kv/range", $$"""{"key":"Zm9v","revision":"{{revision - 1}}"}""");
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", compacted.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Status_names_this_member_as_leader_and_readyz_is_ready()
    {
        var status = await PostAsync("/v3/maintenance/status", "{}");
        Assert.Equal(_server.Host.Id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), status.Json.GetProperty("leader").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_restarted_member_keeps_what_it_acknowledged()
    {
        await PostAsync("/v3/kv/put", """{"key":"a2VlcA==","value":"ZHVyYWJsZQ=="}""");
        _client.Dispose();
        await _server.DisposeAsync();
        _server = await StartAsync();
        _client = new HttpClient { BaseAddress = _server.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };

        var range = await PostAsync("/v3/kv/range", """{"key":"a2VlcA=="}""");
        Assert.Equal("ZHVyYWJsZQ==", range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
    }

    private Task<DistateServer> StartAsync()
    {
        var port = Cluster.LoopbackCluster.FreePort();
        var options = new ServerOptions
        {
            DataDir = _dataDir,
            ListenClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            AdvertiseClientUrls = [new Uri($"http://127.0.0.1:{port}")],
            HeartbeatIntervalMs = 20,
            ElectionTimeoutMs = 200,
        };
        return DistateServer.StartAsync(options);
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
