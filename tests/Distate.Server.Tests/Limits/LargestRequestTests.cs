using System.Net;
using System.Security.Cryptography;
using Distate.Server.Tests.Cluster;
using Distate.Store.Codec;
using Distate.Store.Commands;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Limits;

/// <summary>
/// Proves the request limit is enforced at the door and nowhere else: on a 3-member cluster the largest legal request
/// (a put whose encoded command is exactly --max-request-bytes) is accepted through a follower and through the leader,
/// replicated and read back intact on every member; one byte more is refused at the door — 413 under /v1, etcd's 400
/// "etcdserver: request is too large" under /v3 — and the log does not grow. (Before the chain existed, a 1 MiB value
/// killed the node loop on every member.) Requests are checked completely before they are proposed: an empty key and a
/// txn writing one key twice are refused without a log entry.
/// </summary>
public sealed class LargestRequestTests : IAsyncLifetime
{
    private const int MaxRequestBytes = 1536 * 1024;
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3, options => options with { MaxRequestBytes = MaxRequestBytes });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_largest_legal_put_goes_through_three_members_and_one_byte_more_is_refused_at_the_door()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var follower = _cluster.Live.First(member => member != leader);
        await _cluster.WaitForPublishedAsync();
        var largest = LargestValueFor("big");
        Assert.Equal(MaxRequestBytes, CommandCodec.Encode(Put("big", largest)).Length);

        var value = RandomNumberGenerator.GetBytes(largest);
        using (var accepted = await SendAsync(follower, HttpMethod.Put, "/v1/kv/big", value))
        {
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        foreach (var member in _cluster.Live)
        {
            using var read = await SendAsync(member, HttpMethod.Get, "/v1/kv/big", null);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(SHA256.HashData(value), SHA256.HashData(await read.Content.ReadAsByteArrayAsync()));
        }

        var lastIndex = leader.Host.Status.LastIndex;
        using (var refused = await SendAsync(follower, HttpMethod.Put, "/v1/kv/big", new byte[largest + 1]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.Contains("too_large", text, StringComparison.Ordinal);
            Assert.Contains("request is too large", text, StringComparison.Ordinal);
        }

        Assert.Equal(lastIndex, leader.Host.Status.LastIndex);
    }

    [Fact]
    public async Task The_etcd_gateway_takes_the_largest_put_in_base64_and_refuses_one_byte_more_with_etcds_error()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var largest = LargestValueFor("big");
        var accepted = await _cluster.PostAsync(leader, "/v3/kv/put", PutJson("big", new byte[largest]));
        Assert.Equal(HttpStatusCode.OK, accepted.Status);

        var lastIndex = leader.Host.Status.LastIndex;
        var refused = await _cluster.PostAsync(leader, "/v3/kv/put", PutJson("big", new byte[largest + 1]));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("etcdserver: request is too large", refused.Json.GetProperty("error").GetString());
        Assert.Equal(lastIndex, leader.Host.Status.LastIndex);
    }

    [Fact]
    public async Task An_empty_key_and_a_txn_writing_one_key_twice_are_refused_before_anything_reaches_the_log()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var lastIndex = leader.Host.Status.LastIndex;

        var empty = await _cluster.PostAsync(leader, "/v3/kv/put", """{"key":"","value":"eA=="}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("etcdserver: key is not provided", empty.Json.GetProperty("error").GetString());
        var twice = await _cluster.PostAsync(leader, "/v3/kv/txn",
            """{"success":[{"request_put":{"key":"YQ==","value":"MQ=="}},{"request_put":{"key":"YQ==","value":"Mg=="}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, twice.Status);
        Assert.Contains("duplicate key", twice.Json.GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Equal(lastIndex, leader.Host.Status.LastIndex);
    }

    /// <summary>The value length whose put of <paramref name="key"/> encodes to exactly the request limit.</summary>
    private static int LargestValueFor(string key)
    {
        var length = MaxRequestBytes;
        while (CommandCodec.Encode(Put(key, length)).Length > MaxRequestBytes)
        {
            length--;
        }

        return length;
    }

    private static PutCommand Put(string key, int valueBytes) => Put(key, new byte[valueBytes]);

    private static PutCommand Put(string key, byte[] value) => new() { Key = System.Text.Encoding.UTF8.GetBytes(key), Value = value, PrevKv = true };

    private static string PutJson(string key, byte[] value) => $$"""{"key":"{{B64(key)}}","value":"{{Convert.ToBase64String(value)}}"}""";

    private async Task<HttpResponseMessage> SendAsync(DistateServer member, HttpMethod method, string path, byte[]? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(member.ClientUrl, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return await _cluster.Client.SendAsync(request);
    }
}
