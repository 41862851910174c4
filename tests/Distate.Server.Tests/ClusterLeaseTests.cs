using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the leader's lease clock across a real three-member cluster: a lease that is not kept alive expires and its
/// keys disappear on every member; a lease kept alive through a follower (forwarded to the leader) outlives its TTL;
/// time-to-live counts down; a grant below the minimum TTL is raised; unknown leases get etcd's answers.
/// </summary>
public sealed class ClusterLeaseTests : IAsyncLifetime
{
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await StartAsync(3);
        await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_expired_lease_deletes_its_keys_on_every_member()
    {
        var follower = _cluster.Live.First(m => m.Host.Status.Role != Raft.StateRole.Leader);
        var grant = await _cluster.PostAsync(follower, "/v3/lease/grant", """{"TTL":"2"}""");
        Assert.Equal(HttpStatusCode.OK, grant.Status);
        var id = grant.Json.GetProperty("ID").GetString();
        Assert.Equal("2", grant.Json.GetProperty("TTL").GetString());
        var put = await _cluster.PostAsync(follower, "/v3/kv/put", $$"""{"key":"{{B64("session")}}","value":"{{B64("alive")}}","lease":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("session")}}"}""");
            Assert.Equal(id, range.Json.GetProperty("kvs")[0].GetProperty("lease").GetString());
        }

        foreach (var member in _cluster.Live)
        {
            await WaitUntilAsync(async () =>
            {
                var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("session")}}","serializable":true}""");
                return !range.Json.TryGetProperty("kvs", out _);
            }, $"the leased key is gone on {member.Options.Name}");
        }

        var ttl = await _cluster.PostAsync(follower, "/v3/lease/timetolive", $$"""{"ID":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, ttl.Status);
        Assert.Equal("-1", ttl.Json.GetProperty("TTL").GetString());
        var keepAlive = await _cluster.PostAsync(follower, "/v3/lease/keepalive", $$"""{"ID":"{{id}}"}""");
        Assert.False(keepAlive.Json.GetProperty("result").TryGetProperty("TTL", out _), keepAlive.Text);
    }

    [Fact]
    public async Task A_lease_kept_alive_through_a_follower_outlives_its_ttl_and_counts_down()
    {
        var follower = _cluster.Live.First(m => m.Host.Status.Role != Raft.StateRole.Leader);
        var grant = await _cluster.PostAsync(follower, "/v3/lease/grant", """{"TTL":"2"}""");
        var id = grant.Json.GetProperty("ID").GetString();
        await _cluster.PostAsync(follower, "/v3/kv/put", $$"""{"key":"{{B64("kept")}}","value":"{{B64("v")}}","lease":"{{id}}"}""");

        // Keep it alive for three TTLs (bounded loop: 12 rounds of 500 ms).
        var started = DateTime.UtcNow;
        for (var round = 0; round < 12; round++)
        {
            var keepAlive = await _cluster.PostAsync(follower, "/v3/lease/keepalive", $$"""{"ID":"{{id}}"}""");
            Assert.Equal(HttpStatusCode.OK, keepAlive.Status);
            Assert.Equal("2", keepAlive.Json.GetProperty("result").GetProperty("TTL").GetString());
            await Task.Delay(500);
        }

        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(6));
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("kept")}}"}""");
            Assert.True(range.Json.TryGetProperty("kvs", out _), $"kept-alive key missing on {member.Options.Name}");
        }

        var ttl = await _cluster.PostAsync(follower, "/v3/lease/timetolive", $$"""{"ID":"{{id}}","keys":true}""");
        Assert.Equal("2", ttl.Json.GetProperty("grantedTTL").GetString());
        Assert.True(long.Parse(ttl.Json.GetProperty("TTL").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= 2);
        Assert.Equal(B64("kept"), ttl.Json.GetProperty("keys")[0].GetString());
        var leases = await _cluster.PostAsync(follower, "/v3/lease/leases", "{}");
        Assert.Contains(leases.Json.GetProperty("leases").EnumerateArray(), lease => lease.GetProperty("ID").GetString() == id);

        var revoke = await _cluster.PostAsync(follower, "/v3/lease/revoke", $$"""{"ID":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, revoke.Status);
        var gone = await _cluster.PostAsync(follower, "/v3/kv/range", $$"""{"key":"{{B64("kept")}}"}""");
        Assert.False(gone.Json.TryGetProperty("kvs", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keep_alives_streamed_on_one_request_are_each_answered_as_they_arrive(bool throughFollower)
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var grant = await _cluster.PostAsync(leader, "/v3/lease/grant", """{"TTL":"5"}""");
        var id = grant.Json.GetProperty("ID").GetString();
        var member = throughFollower ? _cluster.Live.First(m => m != leader) : leader;
        // The request body stays open: an answer to the first keep-alive must arrive before the second is sent (through a
        // follower, the forwarder must relay both directions as they happen, not buffer the request body).
        await using var stream = await WatchClient.OpenAsync(member.ClientUrl, "{\"ID\":\"" + id + "\"}", path: "/v3/lease/keepalive");
        var firstLine = await stream.NextLineAsync();
        Assert.True(firstLine.TryGetProperty("result", out var first), firstLine.ToString());
        Assert.Equal(id, first.GetProperty("ID").GetString());
        Assert.Equal("5", first.GetProperty("TTL").GetString());
        stream.Send("{\"ID\":\"4242\"}");
        var second = await stream.NextAsync();
        Assert.Equal("4242", second.GetProperty("ID").GetString());
        Assert.False(second.TryGetProperty("TTL", out _));
    }

    [Fact]
    public async Task A_grant_below_the_minimum_ttl_is_raised_and_bad_lease_input_is_refused()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var grant = await _cluster.PostAsync(leader, "/v3/lease/grant", """{"TTL":"0","ID":"77"}""");
        Assert.Equal("77", grant.Json.GetProperty("ID").GetString());
        Assert.Equal(leader.Host.Leases.MinTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), grant.Json.GetProperty("TTL").GetString());
        var again = await _cluster.PostAsync(leader, "/v3/lease/grant", """{"TTL":"5","ID":"77"}""");
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.Status);
        Assert.Equal("etcdserver: lease already exists", again.Json.GetProperty("error").GetString());
        var bad = await _cluster.PostAsync(leader, "/v3/lease/grant", """{"TTL":"soon"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        var missing = await _cluster.PostAsync(leader, "/v3/lease/revoke", """{"ID":"12345"}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }
}
