using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the promises that hinge on applying off the node loop: a write is acknowledged only once it is applied on
/// the member that answered (a serializable read there right after sees it), concurrent writes all land, and the
/// snapshots the apply task takes (every 100 entries here) restore the whole cluster after every member restarts.
/// </summary>
public sealed class ApplyTaskTests : IAsyncLifetime
{
    private const int Writers = 16;
    private const int WritesPerWriter = 25;
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3, options => options with { SnapshotCount = 100 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Acknowledged_writes_are_applied_before_the_answer_and_survive_a_full_restart_from_snapshots()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var writers = Enumerable.Range(0, Writers).Select(writer => WriteAndCheckAsync(leader, writer));
        await Task.WhenAll(writers);
        var revision = leader.Host.Store.CurrentRevision;
        Assert.Equal(1 + (Writers * WritesPerWriter), (int)revision.Value);
        await WaitUntilAsync(() => Task.FromResult(_cluster.Live.All(m => m.Host.AppliedIndex >= leader.Host.Status.Commit)), "every member applied everything");
        Assert.True(leader.Host.Metrics.ApplySeconds.CumulativeCounts()[^1] >= 1);

        for (var i = 0; i < _cluster.Members.Count; i++)
        {
            await _cluster.StopAsync(i);
        }

        for (var i = 0; i < _cluster.Members.Count; i++)
        {
            await _cluster.RestartAsync(i);
        }

        var restartedLeader = await _cluster.WaitForLeaderAsync();
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("w/")}}","range_end":"{{B64("w0")}}","count_only":true}""");
            Assert.True(range.Status == HttpStatusCode.OK, range.Text);
            Assert.Equal((Writers * WritesPerWriter).ToString(System.Globalization.CultureInfo.InvariantCulture), range.Json.GetProperty("count").GetString());
        }

        // Nothing acknowledged was lost and nothing was applied twice: the revision is where it was.
        Assert.Equal(revision, restartedLeader.Host.Store.CurrentRevision);
    }

    private async Task WriteAndCheckAsync(DistateServer member, int writer)
    {
        for (var i = 0; i < WritesPerWriter; i++)
        {
            var key = B64($"w/{writer:D2}/{i:D3}");
            var put = await _cluster.PostAsync(member, "/v3/kv/put", $$"""{"key":"{{key}}","value":"{{B64($"{i}")}}"}""");
            Assert.True(put.Status == HttpStatusCode.OK, put.Text);
            var local = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{key}}","serializable":true}""");
            Assert.Equal(B64($"{i}"), local.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }
    }
}
