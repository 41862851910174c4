using System.Net;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves a five-member cluster on loopback keeps its promises under faults made in the transport: a 3/2 partition
/// leaves the majority writable while the minority (holding the old leader) refuses writes and linearizable reads,
/// and after healing the minority catches up; a write sent to any member is acknowledged once and read everywhere;
/// a member restarted after missing many writes catches up through a snapshot.
/// </summary>
public sealed class FiveMemberClusterTests : IAsyncLifetime
{
    private LoopbackCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await StartAsync(5, options => options with { SnapshotCount = 100 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Writes_sent_to_every_member_are_read_linearizably_from_every_other()
    {
        await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        var members = _cluster.Live.ToList();
        for (var i = 0; i < members.Count; i++)
        {
            var put = await _cluster.PostAsync(members[i], "/v3/kv/put", $$"""{"key":"{{B64($"k{i}")}}","value":"{{B64($"v{i}")}}"}""");
            Assert.Equal(HttpStatusCode.OK, put.Status);
            foreach (var reader in members.Where(m => m != members[i]))
            {
                var range = await _cluster.PostAsync(reader, "/v3/kv/range", $$"""{"key":"{{B64($"k{i}")}}"}""");
                Assert.Equal(B64($"v{i}"), range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
            }
        }
    }

    [Fact]
    public async Task A_3_2_partition_keeps_the_majority_writable_and_the_minority_refusing_until_it_heals()
    {
        var oldLeader = await _cluster.WaitForLeaderAsync();
        await _cluster.WaitForPublishedAsync();
        Assert.Equal(HttpStatusCode.OK, (await _cluster.PostAsync(oldLeader, "/v3/kv/put", $$"""{"key":"{{B64("p")}}","value":"{{B64("before")}}"}""")).Status);
        var minority = new[] { oldLeader, _cluster.Live.First(m => m != oldLeader) };
        var majority = _cluster.Live.Except(minority).ToList();
        Partition(minority, majority);

        var newLeader = await _cluster.WaitForLeaderAsync(majority);
        var write = await _cluster.PostAsync(majority[0], "/v3/kv/put", $$"""{"key":"{{B64("p")}}","value":"{{B64("during")}}"}""");
        Assert.True(write.Status == HttpStatusCode.OK, write.Text);
        Assert.Contains(newLeader, majority);

        foreach (var member in minority)
        {
            var refusedWrite = await _cluster.PostAsync(member, "/v3/kv/put", $$"""{"key":"{{B64("p")}}","value":"{{B64("minority")}}"}""");
            var refusedRead = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("p")}}"}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedWrite.Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedRead.Status);
            Assert.NotNull(refusedWrite.RetryAfter);
        }

        foreach (var member in _cluster.Live)
        {
            member.Host.Heal();
        }

        // Healed: every member, the old minority included, serves the majority's write linearizably (a read that
        // meets an election in progress waits for the new leader within the request timeout).
        foreach (var member in _cluster.Live)
        {
            var range = await _cluster.PostAsync(member, "/v3/kv/range", $$"""{"key":"{{B64("p")}}"}""");
            Assert.Equal(HttpStatusCode.OK, range.Status);
            Assert.Equal(B64("during"), range.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        }
    }

    [Fact]
    public async Task A_member_restarted_after_missing_many_writes_catches_up_through_a_snapshot()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var laggard = _cluster.Members.FindIndex(m => m is not null && m != leader);
        await _cluster.StopAsync(laggard);
        // SnapshotCount is 100: 400 writes make the leader snapshot and compact past what the laggard holds.
        for (var i = 0; i < 400; i++)
        {
            var put = await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64($"s{i % 50}")}}","value":"{{B64($"v{i}")}}"}""");
            Assert.Equal(HttpStatusCode.OK, put.Status);
        }

        var restarted = await _cluster.RestartAsync(laggard);
        await WaitUntilAsync(() => Task.FromResult(restarted.Host.AppliedIndex >= leader.Host.Status.Commit), "the restarted member applied everything");
        Assert.True(restarted.Host.Metrics.SnapshotsInstalled.Value >= 1, "the restarted member should have caught up through a snapshot");
        var local = await _cluster.PostAsync(restarted, "/v3/kv/range", $$"""{"key":"{{B64("s49")}}","serializable":true}""");
        Assert.Equal(B64("v399"), local.Json.GetProperty("kvs")[0].GetProperty("value").GetString());
        Assert.Equal(leader.Host.Store.CurrentRevision, restarted.Host.Store.CurrentRevision);
    }

    private static void Partition(IReadOnlyList<DistateServer> side, IReadOnlyList<DistateServer> other)
    {
        foreach (var member in side)
        {
            member.Host.IsolateFrom(other.Select(m => m.Host.Id));
        }

        foreach (var member in other)
        {
            member.Host.IsolateFrom(side.Select(m => m.Host.Id));
        }
    }
}
