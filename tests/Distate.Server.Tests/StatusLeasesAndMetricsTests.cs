using System.Net;
using System.Text;
using System.Text.Json;
using Distate.Server.Tests.Cluster;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the operator-facing endpoints on a real three-member cluster: /v1/status names the leader and, on the
/// leader only, each member's match index and lag; /v1/leases grants, shows, renews, lists and revokes leases (via a
/// follower, forwarded) with JSON errors for bad input; /metrics exports Raft position, follower progress and
/// latency histograms in the Prometheus text format.
/// </summary>
public sealed class StatusLeasesAndMetricsTests : IAsyncLifetime
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
    public async Task Status_names_the_leader_everywhere_and_shows_follower_lag_only_on_the_leader()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("s")}}","value":"{{B64("v")}}"}""");
        var leaderHex = leader.Host.Id.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var member in _cluster.Live)
        {
            var status = await GetJsonAsync(member, "/v1/status");
            Assert.Equal(leaderHex, status.GetProperty("leader").GetString());
            Assert.Equal(member == leader ? "leader" : "follower", status.GetProperty("role").GetString());
            Assert.Equal(member.Options.Name, status.GetProperty("name").GetString());
            var members = status.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(3, members.Count);
            Assert.All(members, m => Assert.Equal(member == leader, m.TryGetProperty("lag", out _)));
        }

        var onLeader = await GetJsonAsync(leader, "/v1/status");
        var lastIndex = onLeader.GetProperty("last_index").GetUInt64();
        Assert.All(onLeader.GetProperty("members").EnumerateArray(),
            m => Assert.Equal(lastIndex - m.GetProperty("match_index").GetUInt64(), m.GetProperty("lag").GetUInt64()));
    }

    [Fact]
    public async Task Leases_are_granted_shown_renewed_listed_and_revoked_through_a_follower()
    {
        var follower = _cluster.Live.First(m => m.Host.Status.Role != Raft.StateRole.Leader);
        using var grantBody = new StringContent("""{"ttl_seconds":30}""", Encoding.UTF8, "application/json");
        using var granted = await _cluster.Client.PostAsync(new Uri(follower.ClientUrl, "/v1/leases"), grantBody);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var id = Json(await granted.Content.ReadAsStringAsync()).GetProperty("id").GetInt64();

        using var put = new StringContent("me");
        Assert.Equal(HttpStatusCode.Created, (await _cluster.Client.PutAsync(new Uri(follower.ClientUrl, $"/v1/kv/session?lease={id}"), put)).StatusCode);
        var shown = await GetJsonAsync(follower, $"/v1/leases/{id}");
        Assert.Equal(30, shown.GetProperty("granted_ttl_seconds").GetInt64());
        Assert.InRange(shown.GetProperty("ttl_seconds").GetInt64(), 1, 30);
        Assert.Equal("session", shown.GetProperty("keys")[0].GetString());

        using var renewed = await _cluster.Client.PostAsync(new Uri(follower.ClientUrl, $"/v1/leases/{id}/keepalive"), null);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var list = await GetJsonAsync(follower, "/v1/leases");
        Assert.Contains(list.EnumerateArray(), lease => lease.GetProperty("id").GetInt64() == id);

        using var revoked = await _cluster.Client.DeleteAsync(new Uri(follower.ClientUrl, $"/v1/leases/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var gone = await _cluster.Client.GetAsync(new Uri(follower.ClientUrl, $"/v1/leases/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("lease_not_found", Json(await gone.Content.ReadAsStringAsync()).GetProperty("code").GetString());
        using var key = await _cluster.Client.GetAsync(new Uri(follower.ClientUrl, "/v1/kv/session"));
        Assert.Equal(HttpStatusCode.NotFound, key.StatusCode);
    }

    [Theory]
    [InlineData("""{"ttl_seconds":0}""")]
    [InlineData("""{"ttl_seconds":"soon"}""")]
    [InlineData("""not json""")]
    public async Task A_bad_lease_grant_gets_a_json_400_and_grants_nothing(string body)
    {
        var leader = await _cluster.WaitForLeaderAsync();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _cluster.Client.PostAsync(new Uri(leader.ClientUrl, "/v1/leases"), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", Json(await response.Content.ReadAsStringAsync()).GetProperty("code").GetString());
        Assert.Empty(leader.Host.Store.LeaseList());
    }

    [Fact]
    public async Task Metrics_export_raft_position_follower_progress_and_latency_histograms()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        await _cluster.PostAsync(leader, "/v3/kv/put", $$"""{"key":"{{B64("m")}}","value":"{{B64("v")}}"}""");
        await _cluster.PostAsync(leader, "/v3/kv/range", $$"""{"key":"{{B64("m")}}"}""");
        var text = await _cluster.Client.GetStringAsync(new Uri(leader.ClientUrl, "/metrics"));
        var lines = text.Split('\n');
        Assert.Contains($"distate_raft_term {leader.Host.Status.Term.Value}", lines);
        Assert.Contains("distate_is_leader 1", lines);
        Assert.Equal(2, lines.Count(line => line.StartsWith("distate_follower_lag_entries{member=", StringComparison.Ordinal)));
        Assert.True(Sample(lines, "distate_fsync_duration_seconds_count") >= 1);
        Assert.True(Sample(lines, "distate_apply_duration_seconds_count") >= 1);
        Assert.True(Sample(lines, "process_resident_memory_bytes") > 0);
        Assert.True(Sample(lines, "dotnet_gc_allocated_bytes_total") > 0);
        Assert.True(Sample(lines, "distate_commit_duration_seconds_count") >= 1);
        Assert.True(Sample(lines, "distate_read_index_duration_seconds_count") >= 1);
        Assert.True(Sample(lines, "distate_proposals_committed_total") >= 1);

        var follower = _cluster.Live.First(m => m != leader);
        var followerText = await _cluster.Client.GetStringAsync(new Uri(follower.ClientUrl, "/metrics"));
        Assert.Contains("distate_is_leader 0", followerText.Split('\n'));
        Assert.DoesNotContain("distate_follower_lag_entries{", followerText, StringComparison.Ordinal);
    }

    private static double Sample(string[] lines, string name) =>
        double.Parse(lines.Single(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonElement> GetJsonAsync(DistateServer member, string path) =>
        Json(await _cluster.Client.GetStringAsync(new Uri(member.ClientUrl, path)));

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
