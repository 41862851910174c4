using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves three real members on loopback (127.0.0.1-3, real TCP peer transport) form one cluster: a write acknowledged
/// by any member — a follower's is forwarded to the leader — is read linearizably from every member; after the
/// leader dies a new one is elected with no acknowledged write lost; a member cut off from quorum refuses writes and
/// linearizable reads within a bounded time.
/// </summary>
public sealed class ThreeMemberClusterTests : IAsyncLifetime
{
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_write_on_the_leader_is_read_linearizably_everywhere_and_survives_the_leaders_death()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var put = await _cluster.PostAsync(leader, "/v3/kv/put", """{"key":"Y29uZmln","value":"djE="}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);

        foreach (var member in _cluster.Live)
        {
            // A linearizable read on a follower goes through the leader's ReadIndex: it must see the write.
            var range = await _cluster.PostAsync(member, "/v3/kv/range", """{"key":"Y29uZmln"}""");
            Assert.Equal(HttpStatusCode.OK, range.Status);
            Assert.Equal("djE=", range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }

        await _cluster.StopAsync(_cluster.Members.IndexOf(leader));
        var successor = await _cluster.WaitForLeaderAsync();
        Assert.NotSame(leader, successor);
        var second = await _cluster.PostAsync(successor, "/v3/kv/put", """{"key":"Y29uZmln","value":"djI=","prev_kv":true}""");
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("djE=", second.Json.GetProperty("prev_kv").GetProperty("value").GetString());
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", """{"key":"Y29uZmln"}""");
            Assert.Equal("djI=", range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }
    }

    [Fact]
    public async Task A_write_sent_to_a_follower_is_forwarded_to_the_leader_and_acknowledged_once()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var follower = _cluster.Live.First(m => m != leader);
        await _cluster.WaitForPublishedAsync();
        var forwardedBefore = follower.Host.Metrics.ForwardedRequests.Value;

        var response = await _cluster.PostAsync(follower, "/v3/kv/put", $$"""{"key":"{{B64("x")}}","value":"{{B64("y")}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(forwardedBefore + 1, follower.Host.Metrics.ForwardedRequests.Value);
        var revision = response.Json.GetProperty("header").GetProperty("revision").GetString();
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("x")}}"}""");
            var kv = range.Json.GetProperty("kvs")[0];
            Assert.Equal(B64("y"), kv.GetProperty("value").GetString());
            Assert.Equal(revision, kv.GetProperty("mod_revision").GetString());
            Assert.Equal("1", kv.GetProperty("version").GetString());
        }
    }

    [Fact]
    public async Task A_follower_answers_in_the_shape_of_the_paths_api_when_it_relays_and_when_the_client_is_slow()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var follower = _cluster.Live.First(m => m != leader);

        // The leader's refusal of a forwarded write is relayed as the leader wrote it: /v1 shape, 412.
        using var stale = new HttpRequestMessage(HttpMethod.Put, new Uri(follower.ClientUrl, "/v1/kv/cas")) { Content = new StringContent("x") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
        using var relayed = await _cluster.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, relayed.StatusCode);
        var error = System.Text.Json.JsonDocument.Parse(await relayed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("precondition_failed", error.GetProperty("code").GetString());

        // A body that stalls on its way to a follower is the client's 408 in the path's shape, not a 503 for the cluster.
        foreach (var (method, path, code) in new[] { ("PUT", "/v1/kv/slow", "request_timeout"), ("POST", "/v3/kv/put", null) })
        {
            await using var slow = await WatchClient.OpenAsync(follower.ClientUrl, "{\"key\":", endRequests: false, path: path, method: method);
            Assert.Equal(HttpStatusCode.RequestTimeout, slow.Status);
            var answer = await slow.NextLineAsync();
            Assert.Contains("arrived too slowly", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
            if (code is null)
            {
                Assert.Equal(System.Text.Json.JsonValueKind.Number, answer.GetProperty("code").ValueKind);
            }
            else
            {
                Assert.Equal(code, answer.GetProperty("code").GetString());
            }
        }
    }

    [Fact]
    public async Task A_watch_resumes_on_another_member_after_the_one_it_was_on_dies_without_gap_or_duplicate()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var watched = _cluster.Live.First(m => m != leader);
        var create = "{\"create_request\":{\"key\":\"" + B64("w/") + "\",\"range_end\":\"" + B64("w0") + "\"}}";
        long lastSeen;
        await using (var watch = await WatchClient.OpenAsync(watched.ClientUrl, create))
        {
            Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());
            await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("w/1")}}","value":"{{B64("a")}}"}""");
            await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("w/2")}}","value":"{{B64("b")}}"}""");
            var seen = new List<long>();
            while (seen.Count < 2)
            {
                foreach (var e in (await watch.NextAsync()).GetProperty("events").EnumerateArray())
                {
                    seen.Add(long.Parse(e.GetProperty("kv").GetProperty("mod_revision").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            lastSeen = seen[^1];
            await _cluster.StopAsync(_cluster.Members.IndexOf(watched));
        }

        // Written while the watcher has no connection; it must still see it after resuming elsewhere.
        await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("w/3")}}","value":"{{B64("c")}}"}""");
        var other = _cluster.Live.First(m => m != leader);
        var resume = "{\"create_request\":{\"key\":\"" + B64("w/") + "\",\"range_end\":\"" + B64("w0") + "\",\"start_revision\":\"" + (lastSeen + 1) + "\"}}";
        await using var resumed = await WatchClient.OpenAsync(other.ClientUrl, resume);
        Assert.True((await resumed.NextAsync()).GetProperty("created").GetBoolean());
        await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("w/4")}}","value":"{{B64("d")}}"}""");
        var keys = new List<string>();
        var revisions = new List<long>();
        while (keys.Count < 2)
        {
            foreach (var e in (await resumed.NextAsync()).GetProperty("events").EnumerateArray())
            {
                keys.Add(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("kv").GetProperty("key").GetString()!)));
                revisions.Add(long.Parse(e.GetProperty("kv").GetProperty("mod_revision").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(["w/3", "w/4"], keys);
        Assert.Equal([lastSeen + 1, lastSeen + 2], revisions);
    }

    [Fact]
    public async Task A_member_left_without_quorum_refuses_writes_and_linearizable_reads_with_503_but_keeps_its_data()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(leader, "/v3/kv/put", """{"key":"cQ==","value":"MQ=="}""")).Status);
        var survivor = _cluster.Live.First(m => m != leader);
        // Wait until the survivor has applied the write, then take the other two away: it is a minority of one.
        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(survivor, "/v3/kv/range", """{"key":"cQ=="}""")).Status);
        for (var i = 0; i < _cluster.Members.Count; i++)
        {
            if (_cluster.Members[i] is { } member && member != survivor)
            {
                await _cluster.StopAsync(i);
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var write = await _cluster.PostAsync(survivor, "/v3/kv/put", """{"key":"cQ==","value":"Mg=="}""");
        var read = await _cluster.PostAsync(survivor, "/v3/kv/range", """{"key":"cQ=="}""");
        // Bounded: each answer comes within the request timeout (plus slack), never a hang.
        Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(2 * survivor.Options.RequestTimeoutMs + 4000), $"took {started.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.Status);
        Assert.Equal("1", write.RetryAfter);
        Assert.Equal(14, write.Json.GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.Status);

        // The same refusal under /v1 keeps the /v1 shape: a string code, no etcd "etcdserver:" text.
        using var restWrite = await _cluster.Client.PutAsync(new Uri(survivor.ClientUrl, "/v1/kv/q"), new StringContent("2"));
        var restError = System.Text.Json.JsonDocument.Parse(await restWrite.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, restWrite.StatusCode);
        Assert.Equal("unavailable", restError.GetProperty("code").GetString());
        Assert.False(restError.TryGetProperty("message", out _));
        Assert.Equal("1", restWrite.Headers.RetryAfter?.ToString());

        // By now (a request timeout is several election timeouts) it has no leader, and /readyz says so.
        var ready = await _cluster.GetAsync(survivor, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains("no leader", ready.Json.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A serializable read still answers from local state, and shows the write was not applied.
        var local = await _cluster.PostAsync(survivor, "/v3/kv/range", """{"key":"cQ==","serializable":true}""");
        Assert.Equal("MQ==", local.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
    }
}
