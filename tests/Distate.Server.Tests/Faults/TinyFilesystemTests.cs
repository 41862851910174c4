using System.Net;
using Distate.Server.Node;
using Distate.Server.Tests.Support;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Faults;

/// <summary>
/// Proves the full-disk behaviour on a real, tiny file system (a 40 MiB tmpfs): a member takes 60 KB puts until the disk
/// is really full, then refuses writes with a JSON error naming the disk while every acknowledged key stays readable
/// (linearizably and serializably) and /readyz says why; deleting a file to free space brings writes back; after a
/// restart every acknowledged put is there.
/// </summary>
public sealed class TinyFilesystemTests
{
    private const int ValueBytes = 60 * 1024;
    private const int MaxPuts = 1000;

    [Fact]
    public async Task A_member_on_a_full_tmpfs_stays_up_read_only_keeps_every_acknowledged_put_and_recovers_when_space_is_freed()
    {
        using var disk = TinyFilesystem.Mount(megabytes: 40);
        var filler = disk.Fill("filler", 8L * 1024 * 1024);
        await using var member = await RestartableMember.StartAsync(NodeSeams.None,
            options => options with { DiskReserveBytes = 2L * 1024 * 1024 }, dataDir: Path.Combine(disk.Path, "data"));

        var acknowledged = await PutUntilRefusedAsync(member);
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} puts fit before the disk was full");
        var ready = await member.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains("disk holding", System.Text.Encoding.UTF8.GetString(ready.Body), StringComparison.Ordinal);
        await AssertAllPresentAsync(member, acknowledged);

        File.Delete(filler);
        await WaitUntilAsync(async () => (await member.GetAsync("/readyz")).Status == HttpStatusCode.OK, "writes are accepted again");
        Assert.Equal(HttpStatusCode.Created, await member.PutAsync("after", new byte[ValueBytes]));
        acknowledged.Add("after");

        await member.RestartAsync();
        await AssertAllPresentAsync(member, acknowledged);
        await member.StopAsync();
    }

    /// <summary>Puts 60 KB values until the member refuses one for a full disk; returns the acknowledged keys.</summary>
    private static async Task<List<string>> PutUntilRefusedAsync(RestartableMember member)
    {
        var acknowledged = new List<string>();
        for (var i = 0; i < MaxPuts; i++)
        {
            var key = $"k{i}";
            var status = await member.PutAsync(key, Value(key));
            if (status == HttpStatusCode.InsufficientStorage)
            {
                return acknowledged;
            }

            Assert.Equal(HttpStatusCode.Created, status);
            acknowledged.Add(key);
        }

        throw new InvalidOperationException($"{MaxPuts} puts of {ValueBytes} bytes fit on a 40 MiB disk: the disk never filled");
    }

    private static async Task AssertAllPresentAsync(RestartableMember member, List<string> keys)
    {
        foreach (var key in keys)
        {
            var read = await member.GetAsync($"/v1/kv/{key}?consistency=serializable");
            Assert.Equal(HttpStatusCode.OK, read.Status);
            Assert.Equal(key == "after" ? ValueBytes : Value(key).Length, read.Body.Length);
        }

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/v1/kv/" + keys[^1])).Status);
    }

    private static byte[] Value(string key)
    {
        var value = new byte[ValueBytes];
        System.Text.Encoding.ASCII.GetBytes(key).CopyTo(value, 0);
        return value;
    }
}
