using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Distate.Raft;
using Distate.Server.Configuration;

namespace Distate.Server.Tests;

/// <summary>
/// Proves three real members on loopback (127.0.0.1-3, real TCP peer transport) form one cluster: a write acknowledged
/// by the leader is read linearizably from every member, and after the leader dies a new one is elected with no
/// acknowledged write lost. Waits poll real state with deadlines; nothing sleeps to synchronise.
/// </summary>
public sealed class ThreeMemberClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "distate-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<DistateServer?> _members = [];
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        var clientPorts = new[] { FreePort(), FreePort(), FreePort() };
        var peerPorts = new[] { FreePort(), FreePort(), FreePort() };
        var cluster = new Dictionary<string, Uri>();
        for (var i = 0; i < 3; i++)
        {
            cluster[$"m{i + 1}"] = new Uri($"http://127.0.0.{i + 1}:{peerPorts[i]}");
        }

        var starts = new List<Task<DistateServer>>();
        for (var i = 0; i < 3; i++)
        {
            var peer = cluster[$"m{i + 1}"];
            var clientUrl = new Uri($"http://127.0.0.{i + 1}:{clientPorts[i]}");
            starts.Add(DistateServer.StartAsync(new ServerOptions
            {
                Name = $"m{i + 1}", DataDir = Path.Combine(_root, $"m{i + 1}"), ListenClientUrls = [clientUrl], AdvertiseClientUrls = [clientUrl],
                ListenPeerUrls = [peer], InitialAdvertisePeerUrls = [peer], InitialCluster = cluster,
                HeartbeatIntervalMs = 20, ElectionTimeoutMs = 200,
            }));
        }

        foreach (var start in starts)
        {
            _members.Add(await start);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var member in _members)
        {
            if (member is not null)
            {
                await member.DisposeAsync();
            }
        }

        _client.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_write_on_the_leader_is_read_linearizably_everywhere_and_survives_the_leaders_death()
    {
        var leader = await WaitForLeaderAsync();
        var put = await PostAsync(leader, "/v3/kv/put", """{"key":"Y29uZmln","value":"djE="}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);

        foreach (var member in _members)
        {
            // A linearizable read on a follower goes through the leader's ReadIndex: it must see the write.
            var range = await PostAsync(member!, "/v3/kv/range", """{"key":"Y29uZmln"}""");
            Assert.Equal(HttpStatusCode.OK, range.Status);
            Assert.Equal("djE=", range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }

        var index = _members.IndexOf(leader);
        await leader.DisposeAsync();
        _members[index] = null;

        var successor = await WaitForLeaderAsync();
        Assert.NotSame(leader, successor);
        var second = await PostAsync(successor, "/v3/kv/put", """{"key":"Y29uZmln","value":"djI=","prev_kv":true}""");
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("djE=", second.Json.GetProperty("prev_kv").GetProperty("value").GetString());
        foreach (var member in _members.Where(m => m is not null))
        {
            var range = await PostAsync(member!, "/v3/kv/range", """{"key":"Y29uZmln"}""");
            Assert.Equal("djI=", range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }
    }

    [Fact]
    public async Task A_write_sent_to_a_follower_is_refused_with_503_and_changes_nothing()
    {
        var leader = await WaitForLeaderAsync();
        var follower = _members.First(m => m != leader)!;
        var response = await PostAsync(follower, "/v3/kv/put", """{"key":"eA==","value":"eQ=="}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("not the leader", response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        var range = await PostAsync(leader, "/v3/kv/range", """{"key":"eA=="}""");
        Assert.False(range.Json.TryGetProperty("kvs", out _));
    }

    [Fact]
    public async Task A_member_left_without_quorum_refuses_writes_and_linearizable_reads_with_503_but_keeps_its_data()
    {
        var leader = await WaitForLeaderAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(leader, "/v3/kv/put", """{"key":"cQ==","value":"MQ=="}""")).Status);
        var survivor = _members.First(m => m != leader)!;
        // Wait until the survivor has applied the write, then take the other two away: it is a minority of one.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(survivor, "/v3/kv/range", """{"key":"cQ=="}""")).Status);
        for (var i = 0; i < _members.Count; i++)
        {
            if (_members[i] is { } member && member != survivor)
            {
                await member.DisposeAsync();
                _members[i] = null;
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var write = await PostAsync(survivor, "/v3/kv/put", """{"key":"cQ==","value":"Mg=="}""", withHeaders: true);
        var read = await PostAsync(survivor, "/v3/kv/range", """{"key":"cQ=="}""");
        // Bounded: each answer comes within the request timeout (plus slack), never a hang.
        Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(2 * survivor.Options.RequestTimeoutMs + 2000), $"took {started.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.Status);
        Assert.Equal("1", write.RetryAfter);
        Assert.Equal(14, write.Json.GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.Status);

        // A serializable read still answers from local state, and shows the write was not applied.
        var local = await PostAsync(survivor, "/v3/kv/range", """{"key":"cQ==","serializable":true}""");
        Assert.Equal("MQ==", local.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
    }

    private async Task<DistateServer> WaitForLeaderAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var live = _members.Where(m => m is not null).Select(m => m!).ToList();
            var leaders = live.Where(m => m.Host.Status.Role == StateRole.Leader).ToList();
            // A leader every live member agrees on.
            if (leaders.Count == 1 && live.All(m => m.Host.Status.Leader == leaders[0].Host.Id))
            {
                return leaders[0];
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Json, string? RetryAfter)> PostAsync(
        DistateServer member, string path, string body, bool withHeaders = false)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(member.ClientUrl, path), content);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var retryAfter = withHeaders && response.Headers.TryGetValues("Retry-After", out var values) ? values.First() : null;
        return (response.StatusCode, document.RootElement.Clone(), retryAfter);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
