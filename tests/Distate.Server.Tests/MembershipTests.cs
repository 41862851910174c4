using System.Net;
using Distate.Raft;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves etcd's member API on a real cluster: member list shows every member with the names and client URLs they
/// published; a learner added through a follower joins with --initial-cluster-state existing, catches up, is promoted
/// to voter and later removed; wrong requests get etcd's errors and change nothing.
/// </summary>
public sealed class MembershipTests : IAsyncLifetime
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
    public async Task Member_list_shows_names_peer_and_client_urls_of_every_member()
    {
        var list = await _cluster.PostAsync(_cluster.Live.Last(), "/v3/cluster/member/list", "{}");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        var members = list.Json.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(3, members.Count);
        foreach (var server in _cluster.Live)
        {
            var member = members.Single(m => m.GetProperty("name").GetString() == server.Options.Name);
            Assert.Equal(server.Host.Id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), member.GetProperty("ID").GetString());
            Assert.Equal(server.Options.AdvertiseClientUrls[0].ToString().TrimEnd('/'), member.GetProperty("clientURLs")[0].GetString());
            Assert.Equal(server.Options.InitialAdvertisePeerUrls[0].ToString().TrimEnd('/'), member.GetProperty("peerURLs")[0].GetString());
            Assert.False(member.TryGetProperty("isLearner", out _));
        }
    }

    [Fact]
    public async Task A_learner_added_through_a_follower_joins_catches_up_is_promoted_and_removed()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        for (var i = 0; i < 20; i++)
        {
            await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64($"j{i}")}}","value":"{{B64("v")}}"}""");
        }

        var follower = _cluster.Live.First(m => m != leader);
        var peerUrl = new Uri($"http://127.0.0.4:{FreePort()}");
        var add = await _cluster.PostAsync(follower, "/v3/cluster/member/add", $$"""{"peerURLs":["{{peerUrl.ToString().TrimEnd('/')}}"],"isLearner":true}""");
        Assert.True(add.Status == HttpStatusCode.OK, add.Text);
        Assert.True(add.Json.GetProperty("member").GetProperty("isLearner").GetBoolean());
        Assert.Equal(4, add.Json.GetProperty("members").GetArrayLength());

        var cluster = _cluster.PeerUrls;
        cluster["m4"] = peerUrl;
        var clientUrl = new Uri($"http://127.0.0.4:{FreePort()}");
        var joiner = await _cluster.JoinAsync(_cluster.OptionsFor("m4", peerUrl, clientUrl, cluster, "existing"));
        await WaitUntilAsync(() => Task.FromResult(joiner.Host.AppliedIndex >= leader.Host.Status.Commit && joiner.Host.IsPublished), "the learner caught up and published");
        Assert.Equal(StateRole.Follower, joiner.Host.Status.Role);
        var local = await _cluster.PostAsync(joiner, "/v3/kv/range", $$"""{"key":"{{B64("j19")}}","serializable":true}""");
        Assert.Equal(B64("v"), local.Json.GetProperty("kvs")[0].GetProperty("value").GetString());

        var id = add.Json.GetProperty("member").GetProperty("ID").GetString();
        Assert.Equal(joiner.Host.Id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), id);
        var promote = await _cluster.PostAsync(follower, "/v3/cluster/member/promote", $$"""{"ID":"{{id}}"}""");
        Assert.True(promote.Status == HttpStatusCode.OK, promote.Text);
        await WaitUntilAsync(() => Task.FromResult(leader.Host.Status.Config.IsVoter(joiner.Host.Id)), "the learner is a voter");
        var again = await _cluster.PostAsync(follower, "/v3/cluster/member/promote", $$"""{"ID":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.Status);
        Assert.Equal("etcdserver: can only promote a learner member", again.Json.GetProperty("error").GetString());

        // A voter now: a linearizable read through it works, and a write through it is forwarded.
        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(joiner, "/v3/kv/put", $$"""{"key":"{{B64("from-m4")}}","value":"{{B64("x")}}"}""")).Status);

        var remove = await _cluster.PostAsync(leader, "/v3/cluster/member/remove", $$"""{"ID":"{{id}}"}""");
        Assert.True(remove.Status == HttpStatusCode.OK, remove.Text);
        Assert.Equal(3, remove.Json.GetProperty("members").GetArrayLength());
        Assert.False(leader.Host.Status.Config.IsVoter(joiner.Host.Id));
    }

    [Fact]
    public async Task Wrong_member_requests_get_etcds_errors_and_change_nothing()
    {
        var member = _cluster.Live.First();
        var unknown = await _cluster.PostAsync(member, "/v3/cluster/member/remove", """{"ID":"42"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("etcdserver: member not found", unknown.Json.GetProperty("error").GetString());
        var existing = _cluster.Live.Last().Options.InitialAdvertisePeerUrls[0].ToString().TrimEnd('/');
        var duplicate = await _cluster.PostAsync(member, "/v3/cluster/member/add", $$"""{"peerURLs":["{{existing}}"]}""");
        Assert.Equal(HttpStatusCode.PreconditionFailed, duplicate.Status);
        Assert.Equal("etcdserver: Peer URLs already exists", duplicate.Json.GetProperty("error").GetString());
        var bad = await _cluster.PostAsync(member, "/v3/cluster/member/add", """{"peerURLs":["not a url"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        var voter = await _cluster.PostAsync(member, "/v3/cluster/member/promote", $$"""{"ID":"{{member.Host.Id.Value}}"}""");
        Assert.Equal("etcdserver: can only promote a learner member", voter.Json.GetProperty("error").GetString());
        var list = await _cluster.PostAsync(member, "/v3/cluster/member/list", "{}");
        Assert.Equal(3, list.Json.GetProperty("members").GetArrayLength());
    }
}
