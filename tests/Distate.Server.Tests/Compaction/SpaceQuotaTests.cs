using System.Globalization;
using System.Net;
using System.Text.Json;
using Distate.Server.Configuration;
using Distate.Server.Tests.Cluster;
using Distate.Server.Tests.Support;
using Distate.Store.Alarms;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Compaction;

/// <summary>
/// Proves etcd's space quota and NOSPACE alarm on real members: 64 KiB puts into a 1 MiB quota are refused once it would
/// be passed, with etcd's text and gRPC code 8; the leader raises the NOSPACE alarm through the log, so every member holds
/// it; while it is raised small puts are refused even after deletes and compaction freed the space (the alarm, not the
/// quota, refuses them), whereas reads, deletes, compaction and lease revoke go through; disarming through a follower
/// lets writes in again. The alarm survives a restart whose log before it was compacted into a snapshot.
/// Auto-compaction is off so only the test compacts.
/// </summary>
public sealed class SpaceQuotaTests
{
    private const long QuotaBytes = 1024 * 1024;
    private static readonly string Big = B64(new string('v', 64 * 1024));

    private static ServerOptions Quota(ServerOptions options) =>
        options with { QuotaBackendBytes = QuotaBytes, AutoCompactionRetention = "0", SnapshotCount = 100 };

    private static string Put(string key, string base64Value) => $$"""{"key":"{{B64(key)}}","value":"{{base64Value}}"}""";

    /// <summary>Puts 64 KiB values until one is refused (at most 40, so about 2.5× the quota); returns the refusal.</summary>
    private static async Task<Reply> FillAsync(Func<string, Task<Reply>> put)
    {
        for (var i = 0; i < 40; i++)
        {
            var reply = await put(Put("big" + i, Big));
            if (reply.Status != HttpStatusCode.OK)
            {
                return reply;
            }
        }

        throw new InvalidOperationException("40 puts of 64 KiB fit a 1 MiB quota");
    }

    private static void AssertNoSpace(Reply reply)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Equal("etcdserver: mvcc: database space exceeded", reply.Json.GetProperty("error").GetString());
        Assert.Equal(8, reply.Json.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Past_the_quota_every_member_holds_the_alarm_until_it_is_disarmed()
    {
        await using var cluster = await StartAsync(3, Quota);
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.WaitForPublishedAsync();
        var follower = cluster.Live.First(member => member != leader);
        var grant = await cluster.PostAsync(leader, "/v3/lease/grant", """{"TTL":60}""");
        var lease = grant.Json.GetProperty("ID").GetString();

        AssertNoSpace(await FillAsync(body => cluster.PostAsync(follower, "/v3/kv/put", body)));
        await WaitUntilAsync(() => Task.FromResult(cluster.Live.All(m => m.Host.Store.IsAlarmRaised(AlarmType.NoSpace))), "every member holds NOSPACE");
        var listed = await cluster.PostAsync(follower, "/v3/maintenance/alarm", """{"action":"GET"}""");
        Assert.False(listed.Json.TryGetProperty("header", out _), "etcd 3.4 answers alarm calls without a header");
        var alarm = Assert.Single(listed.Json.GetProperty("alarms").EnumerateArray().ToList());
        Assert.Equal("NOSPACE", alarm.GetProperty("alarm").GetString());
        Assert.Equal(follower.Host.Id.Value.ToString(CultureInfo.InvariantCulture), alarm.GetProperty("memberID").GetString());

        // Free the space: deletes, compaction and revoke are accepted while the alarm is raised; small puts are not.
        Assert.Equal(HttpStatusCode.OK, (await cluster.PostAsync(follower, "/v3/kv/deleterange",
            $$"""{"key":"{{B64("big")}}","range_end":"{{B64("bih")}}"}""")).Status);
        var revision = leader.Host.Store.CurrentRevision.Value;
        Assert.Equal(HttpStatusCode.OK, (await cluster.PostAsync(follower, "/v3/kv/compaction", $$"""{"revision":{{revision}}}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await cluster.PostAsync(follower, "/v3/lease/revoke", $$"""{"ID":"{{lease}}"}""")).Status);
        AssertNoSpace(await cluster.PostAsync(follower, "/v3/kv/put", Put("small", B64("1"))));
        Assert.Equal(HttpStatusCode.OK, (await cluster.PostAsync(follower, "/v3/kv/range", $$"""{"key":"{{B64("big0")}}"}""")).Status);
        using (var rest = new HttpClient { BaseAddress = follower.ClientUrl })
        using (var content = new ByteArrayContent("1"u8.ToArray()))
        {
            using var refused = await rest.PutAsync(new Uri("/v1/kv/small", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            Assert.Contains("\"no_space\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var disarm = await cluster.PostAsync(follower, "/v3/maintenance/alarm",
            $$"""{"action":"DEACTIVATE","memberID":"{{follower.Host.Id.Value}}","alarm":"NOSPACE"}""");
        Assert.Equal(HttpStatusCode.OK, disarm.Status);
        Assert.Single(disarm.Json.GetProperty("alarms").EnumerateArray().ToList());
        await WaitUntilAsync(() => Task.FromResult(cluster.Live.All(m => !m.Host.Store.IsAlarmRaised(AlarmType.NoSpace))), "every member disarmed NOSPACE");
        Assert.Equal(HttpStatusCode.OK, (await cluster.PostAsync(follower, "/v3/kv/put", Put("small", B64("1")))).Status);
        Assert.False((await cluster.PostAsync(follower, "/v3/maintenance/alarm", "{}")).Json.TryGetProperty("alarms", out _));
        var defragment = await cluster.PostAsync(follower, "/v3/maintenance/defragment", "{}");
        Assert.Equal((HttpStatusCode.OK, "{}"), (defragment.Status, defragment.Text));
    }

    [Fact]
    public async Task The_alarm_survives_a_restart_from_a_snapshot()
    {
        await using var member = await RestartableMember.StartAsync(Distate.Server.Node.NodeSeams.None, Quota);
        using var client = new HttpClient { BaseAddress = member.Server!.ClientUrl };
        async Task<Reply> PostAsync(string path, string body)
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
            return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), null);
        }

        AssertNoSpace(await FillAsync(body => PostAsync("/v3/kv/put", body)));
        var host = member.Server.Host;
        await WaitUntilAsync(() => Task.FromResult(host.Store.IsAlarmRaised(AlarmType.NoSpace)), "the member holds NOSPACE");
        var alarmIndex = host.AppliedIndex;

        // Push the alarm's entry out of the log: snapshots every 100 entries, the log keeps 50 behind each.
        for (var i = 0; i < 400 && host.LogFirstIndex <= alarmIndex; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v3/kv/deleterange", $$"""{"key":"{{B64("missing")}}"}""")).Status);
        }

        Assert.True(host.LogFirstIndex > alarmIndex, "the alarm's entry was compacted into a snapshot");
        await member.RestartAsync();
        Assert.True(member.Server!.Host.Store.IsAlarmRaised(AlarmType.NoSpace));
        AssertNoSpace(await PostAsync("/v3/kv/put", Put("small", B64("1"))));
    }
    [Fact]
    public async Task A_write_refused_for_space_at_apply_makes_the_leader_raise_the_alarm()
    {
        await using var member = await LoopbackMember.StartAsync(Quota);
        var host = member.Server.Host;
        var value = new byte[700 * 1024];

        // Housekeeping proposals skip the door, as a write admitted on a stale view would: apply refuses the second
        // 700 KiB put for the quota, and the leader then raises NOSPACE itself.
        var first = await host.ProposeHousekeepingAsync(new PutCommand { Key = "a"u8.ToArray(), Value = value }, CancellationToken.None);
        Assert.IsType<PutResult>(first);
        var second = await host.ProposeHousekeepingAsync(new PutCommand { Key = "b"u8.ToArray(), Value = value }, CancellationToken.None);
        Assert.Equal(StoreErrorCode.NoSpace, Assert.IsType<StoreError>(second).Code);
        await WaitUntilAsync(() => Task.FromResult(host.Store.IsAlarmRaised(AlarmType.NoSpace)), "the leader raised NOSPACE after apply refused a write");
        Assert.Equal([new AlarmMember(host.Id.Value, AlarmType.NoSpace)], host.Store.Alarms(AlarmType.None));
    }
}
