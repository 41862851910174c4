using System.Net;
using System.Text.Json;
using static Distate.Server.Tests.LoopbackMember;

namespace Distate.Server.Tests;

/// <summary>
/// Proves /v3/maintenance/hashkv lets members be compared: two independent members given the same writes report the same
/// hash (a uint32 JSON number), a further write changes it, a past revision hashes as it did then, and compaction shows in
/// compact_revision and makes older revisions an etcd "compacted" error.
/// </summary>
public sealed class EtcdHashKvTests : IAsyncLifetime
{
    private LoopbackMember _left = null!;
    private LoopbackMember _right = null!;

    public async Task InitializeAsync()
    {
        _left = await LoopbackMember.StartAsync();
        _right = await LoopbackMember.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _left.DisposeAsync();
        await _right.DisposeAsync();
    }

    [Fact]
    public async Task Same_writes_hash_equal_and_another_write_changes_the_hash()
    {
        foreach (var member in new[] { _left, _right })
        {
            await member.PutAsync("x", "1");
            await member.PutAsync("y", "2");
            await member.PostAsync("/v3/kv/deleterange", $$$"""{"key":"{{{B64("x")}}}"}""");
        }

        var left = await HashAsync(_left, "{}");
        var right = await HashAsync(_right, "{}");
        Assert.Equal(JsonValueKind.Number, left.GetProperty("hash").ValueKind);
        Assert.Equal(left.GetProperty("hash").GetUInt32(), right.GetProperty("hash").GetUInt32());
        long revision = Revision(left);
        Assert.Equal(revision, Int64(left, "hash_revision"));

        await _left.PutAsync("y", "3");
        var changed = await HashAsync(_left, "{}");
        Assert.NotEqual(left.GetProperty("hash").GetUInt32(), changed.GetProperty("hash").GetUInt32());
        var past = await HashAsync(_left, $$$"""{"revision":"{{{revision}}}"}""");
        Assert.Equal(left.GetProperty("hash").GetUInt32(), past.GetProperty("hash").GetUInt32());
    }

    [Fact]
    public async Task Compaction_shows_in_compact_revision_and_older_revisions_are_refused()
    {
        long first = await _left.PutAsync("c", "1");
        long second = await _left.PutAsync("c", "2");
        Assert.False((await HashAsync(_left, "{}")).TryGetProperty("compact_revision", out _));
        await _left.PostAsync("/v3/kv/compaction", $$$"""{"revision":"{{{second}}}"}""");

        Assert.Equal(second, Int64(await HashAsync(_left, "{}"), "compact_revision"));
        var refused = await _left.PostAsync("/v3/maintenance/hashkv", $$$"""{"revision":"{{{first}}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(11, refused.Json.GetProperty("code").GetInt32());
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", refused.Json.GetProperty("error").GetString());
        var future = await _left.PostAsync("/v3/maintenance/hashkv", $$$"""{"revision":"{{{second + 100}}}"}""");
        Assert.Equal("etcdserver: mvcc: required revision is a future revision", future.Json.GetProperty("error").GetString());
    }

    private static async Task<JsonElement> HashAsync(LoopbackMember member, string body)
    {
        var response = await member.PostAsync("/v3/maintenance/hashkv", body);
        Assert.True(response.Status == HttpStatusCode.OK, response.Json.ToString());
        return response.Json;
    }
}
