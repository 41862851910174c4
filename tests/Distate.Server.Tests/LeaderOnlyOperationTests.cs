using System.Globalization;
using System.Net;
using Distate.Server.Forwarding;
using Distate.Server.Node;
using Distate.Server.Tests.Cluster;
using Microsoft.AspNetCore.Builder;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves leader-only is a property of the operation, declared where its endpoint is mapped: a brand-new endpoint
/// marked <c>.LeaderOnly()</c> is relayed from a follower to the leader without touching any list, while the same
/// endpoint without the mark is answered by the follower itself.
/// </summary>
public sealed class LeaderOnlyOperationTests : IAsyncLifetime
{
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3, seams: _ => new NodeSeams
    {
        ExtraEndpoints = app =>
        {
            app.MapPost("/test/who-answers", (RaftHost host) => host.Id.Value.ToString(CultureInfo.InvariantCulture)).LeaderOnly();
            app.MapPost("/test/who-answers-locally", (RaftHost host) => host.Id.Value.ToString(CultureInfo.InvariantCulture));
        },
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_new_leader_only_endpoint_reaching_a_follower_is_answered_by_the_leader()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var follower = _cluster.Live.First(member => member != leader);

        var relayed = await _cluster.PostAsync(follower, "/test/who-answers", "{}");
        var local = await _cluster.PostAsync(follower, "/test/who-answers-locally", "{}");

        Assert.Equal(HttpStatusCode.OK, relayed.Status);
        Assert.Equal(leader.Host.Id.Value.ToString(CultureInfo.InvariantCulture), relayed.Text);
        Assert.Equal(follower.Host.Id.Value.ToString(CultureInfo.InvariantCulture), local.Text);
    }
}
