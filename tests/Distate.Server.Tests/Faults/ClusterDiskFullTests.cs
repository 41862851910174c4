using System.Net;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Server.Tests.Cluster;
using Distate.Server.Tests.Support;
using Distate.Storage.Io;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Faults;

/// <summary>
/// Proves a full disk on the leader of a 3-member cluster costs the cluster nothing it acknowledged and little time: the
/// write that hit the full disk is still acknowledged, the leader hands leadership to a follower, writes sent to the
/// read-only member are forwarded and succeed, it answers serializable reads and refuses linearizable ones at once
/// with a message naming its disk, and once its disk has room it catches up and serves linearizable reads again.
/// </summary>
public sealed class ClusterDiskFullTests : IAsyncLifetime
{
    private readonly FaultSwitch[] _faults = [new(), new(), new()];
    private readonly int[] _diskFull = new int[3];
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(3,
        options => options with { DiskReserveBytes = 1024 * 1024 },
        i => new NodeSeams
        {
            LogDevice = path => new SwitchableLogDevice(path, _faults[i]),
            AvailableDiskBytes = directory => Volatile.Read(ref _diskFull[i]) == 1 ? 0 : DiskSpace.AvailableBytes(directory),
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_leader_whose_disk_fills_hands_off_leadership_and_catches_up_once_it_has_room()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var index = _cluster.Members.IndexOf(leader);
        Volatile.Write(ref _diskFull[index], 1);
        _faults[index].FailNext(errno: 28, writes: 1);

        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(leader, "/v3/kv/put", Put("k", "1"))).Status);
        Assert.NotNull(leader.Host.ReadOnlyReason);
        var successor = await _cluster.WaitForLeaderAsync(_cluster.Live.Where(member => member != leader));
        await WaitUntilAsync(() => Task.FromResult(leader.Host.Status.Leader == successor.Host.Id), "the old leader follows the new one");

        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(leader, "/v3/kv/put", Put("k", "2"))).Status);
        var serializable = await _cluster.PostAsync(leader, "/v3/kv/range", $$"""{"key":"{{B64("k")}}","serializable":true}""");
        Assert.Equal(HttpStatusCode.OK, serializable.Status);
        var linearizable = await _cluster.PostAsync(leader, "/v3/kv/range", $$"""{"key":"{{B64("k")}}"}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, linearizable.Status);
        Assert.Contains("disk", linearizable.Text, StringComparison.Ordinal);

        Volatile.Write(ref _diskFull[index], 0);
        await WaitUntilAsync(() => Task.FromResult(leader.Host.ReadOnlyReason is null), "the old leader's disk has room again");
        await WaitUntilAsync(async () =>
        {
            var read = await _cluster.PostAsync(leader, "/v3/kv/range", $$"""{"key":"{{B64("k")}}"}""");
            return read.Status == HttpStatusCode.OK && read.Json.GetProperty("kvs")[0].GetProperty("value").GetString() == B64("2");
        }, "the old leader caught up and reads linearizably");
        Assert.NotEqual(StateRole.Leader, leader.Host.Status.Role);
    }

    private static string Put(string key, string value) => $$"""{"key":"{{B64(key)}}","value":"{{B64(value)}}"}""";
}
