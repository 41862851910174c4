using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Limits;

/// <summary>
/// Proves a snapshot larger than a peer frame reaches a follower: with snapshots every 100 entries, a member that was
/// down while 4 MiB were written (twice the frame size) catches up through a snapshot sent in chunks, and then holds
/// every key. Before chunking, such a snapshot was refused by the transport and the follower never caught up.
/// </summary>
public sealed class LargeSnapshotTests : IAsyncLifetime
{
    private const int Puts = 200;
    private const int ValueBytes = 20 * 1024;
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3, options => options with { SnapshotCount = 100 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_follower_behind_the_compacted_log_catches_up_through_a_snapshot_larger_than_a_frame()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var behind = _cluster.Members.FindIndex(member => member is not null && member != leader);
        Assert.True(leader.Host.Limits.MaxFrameBytes < Puts * ValueBytes, "the snapshot must outgrow one frame");
        await _cluster.StopAsync(behind);

        var value = Convert.ToBase64String(new byte[ValueBytes]);
        for (var i = 0; i < Puts; i++)
        {
            var put = await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64($"big/{i}")}}","value":"{{value}}"}""");
            Assert.Equal(HttpStatusCode.OK, put.Status);
        }

        var restarted = await _cluster.RestartAsync(behind);
        await WaitUntilAsync(() => Task.FromResult(restarted.Host.Metrics.SnapshotsInstalled.Value > 0), "the follower installed a snapshot");
        var count = await _cluster.PostAsync(restarted, "/v3/kv/range", $$"""{"key":"{{B64("big/")}}","range_end":"{{B64("big0")}}","count_only":true}""");
        Assert.Equal(HttpStatusCode.OK, count.Status);
        Assert.Equal(Puts.ToString(System.Globalization.CultureInfo.InvariantCulture), count.Json.GetProperty("count").GetString());
    }
}
