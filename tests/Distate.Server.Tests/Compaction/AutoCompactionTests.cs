using System.Net;
using Distate.Server.Node;
using Distate.Server.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Distate.Server.Tests.Compaction;

/// <summary>Proves the leader compacts on its own: in periodic mode to the revision it saw one retention period ago (and
/// not before a period has passed), in revision mode to the current revision minus the retention; the compaction is a
/// replicated one (reads below it fail with etcd's error) and is counted in /metrics. Time is a fake clock advanced one
/// check interval at a time; the test waits for the compactor to finish each check before advancing again.</summary>
public sealed class AutoCompactionTests
{
    private static async Task<LoopbackMember> StartAsync(FakeTimeProvider time, string mode, string retention) =>
        await LoopbackMember.StartAsync(
            options => options with { AutoCompactionMode = mode, AutoCompactionRetention = retention }, new NodeSeams { Time = time });

    /// <summary>Advances the fake clock by one check interval and waits until the compactor has run that check.</summary>
    private static async Task CheckOnceAsync(LoopbackMember member, FakeTimeProvider time)
    {
        var compactor = member.Server.Host.Compactor;
        var before = compactor.Checks;
        time.Advance(compactor.Policy.CheckInterval);
        await Cluster.LoopbackCluster.WaitUntilAsync(() => Task.FromResult(compactor.Checks > before), "the compactor ran its check");
    }

    [Fact]
    public async Task Periodic_mode_compacts_to_the_revision_seen_one_period_ago()
    {
        var time = new FakeTimeProvider();
        await using var member = await StartAsync(time, "periodic", "10s");
        var store = member.Server.Host.Store;
        await member.PutAsync("k", "1");
        var seen = await member.PutAsync("k", "2");
        var checks = 0;
        for (; checks < 40 && store.CompactRevision.Value < seen; checks++)
        {
            await CheckOnceAsync(member, time);
        }

        Assert.Equal(seen, store.CompactRevision.Value);
        Assert.True(checks >= 10, $"compacted after {checks} checks of 1 s: the last 10 s of history must be kept");

        // A write now is kept for a whole period: compaction reaches it only a period later, not at the next due check.
        var next = await member.PutAsync("k", "3");
        for (checks = 0; checks < 9; checks++)
        {
            await CheckOnceAsync(member, time);
        }

        Assert.Equal(seen, store.CompactRevision.Value);
        for (; checks < 40 && store.CompactRevision.Value < next; checks++)
        {
            await CheckOnceAsync(member, time);
        }

        Assert.Equal(next, store.CompactRevision.Value);
        var old = await member.PostAsync("/v3/kv/range", $$"""{"key":"{{LoopbackMember.B64("k")}}","revision":{{seen}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, old.Status);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", old.Json.GetProperty("error").GetString());
        Assert.True(member.Server.Host.Metrics.AutoCompactions.Value >= 2);
        Assert.Contains($"distate_auto_compactions_total {member.Server.Host.Metrics.AutoCompactions.Value}\n",
            MetricsEndpoint.Render(member.Server.Host), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revision_mode_keeps_the_last_retention_revisions()
    {
        var time = new FakeTimeProvider();
        await using var member = await StartAsync(time, "revision", "3");
        long current = 0;
        for (var i = 0; i < 10; i++)
        {
            current = await member.PutAsync("k" + i, "v");
        }

        await CheckOnceAsync(member, time);
        Assert.Equal(current - 3, member.Server.Host.Store.CompactRevision.Value);
        Assert.Equal(1, member.Server.Host.Metrics.AutoCompactions.Value);
    }

    [Fact]
    public async Task Retention_zero_never_compacts()
    {
        var time = new FakeTimeProvider();
        await using var member = await StartAsync(time, "periodic", "0");
        await member.PutAsync("k", "1");
        time.Advance(TimeSpan.FromHours(2));
        await member.PutAsync("k", "2");
        Assert.Equal(0, member.Server.Host.Store.CompactRevision.Value);
        Assert.Equal(0, member.Server.Host.Compactor.Checks);
    }
}
