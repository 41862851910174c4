using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves a write reaching a follower during an election waits for the new leader (within --request-timeout) instead
/// of failing at once: right after the leader dies, writers through both followers keep going, and every write is
/// acknowledged — none is answered 503 while the survivors elect a new leader.
/// </summary>
public sealed class ForwardingDuringElectionTests : IAsyncLifetime
{
    private const int WritesPerFollower = 20;
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Writes_through_followers_wait_for_the_new_leader_when_the_old_one_dies()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var followers = _cluster.Live.Where(member => member != leader).ToArray();

        await _cluster.StopAsync(_cluster.Members.IndexOf(leader));
        var writers = followers.Select((follower, f) => WriteManyAsync(follower, f)).ToArray();
        var statuses = (await Task.WhenAll(writers)).SelectMany(s => s).ToList();

        Assert.Equal(2 * WritesPerFollower, statuses.Count);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        var successor = await _cluster.WaitForLeaderAsync();
        Assert.Contains(successor, followers);
    }

    private async Task<List<HttpStatusCode>> WriteManyAsync(DistateServer follower, int writer)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < WritesPerFollower; i++)
        {
            var reply = await _cluster.PostAsync(follower, "/v3/kv/put", $$"""{"key":"{{B64($"w{writer}/{i}")}}","value":"{{B64("v")}}"}""");
            statuses.Add(reply.Status);
        }

        return statuses;
    }
}
