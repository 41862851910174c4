using Distate.Node.Requests;
using System.Net;
using System.Text;
using Distate.Server.Node;
using Distate.Server.Tests.Support;
using Distate.Storage.Io;
using static Distate.Server.Tests.Cluster.LoopbackCluster;

namespace Distate.Server.Tests.Faults;

/// <summary>
/// Proves a full disk (ENOSPC injected under FASTER by a switchable device, free space read through a seam) is survived:
/// the write that hit it is still made durable (the member gives back its disk reserve and reopens its log), the member
/// turns read-only — client writes get a JSON error naming the disk, serializable and linearizable reads keep
/// answering, /readyz says why — and once the disk has room again it puts the reserve back and takes writes. Nothing
/// acknowledged is lost across a restart. A second full disk with no reserve left is fatal (exit code 1).
/// </summary>
public sealed class DiskFullTests
{
    private const long ReserveBytes = 1024 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_full_disk_turns_the_member_read_only_and_it_takes_writes_again_once_space_is_freed()
    {
        var faults = new FaultSwitch();
        var diskFull = 0;
        var seams = new NodeSeams
        {
            LogDevice = path => new SwitchableLogDevice(path, faults),
            AvailableDiskBytes = directory => Volatile.Read(ref diskFull) == 1 ? 0 : DiskSpace.AvailableBytes(directory),
        };
        await using var member = await RestartableMember.StartAsync(seams, options => options with { DiskReserveBytes = ReserveBytes });
        // The member publishes its name through the log just after it starts: let that write pass before a fault is armed,
        // so the fault hits the test's own write.
        await WaitUntilAsync(() => Task.FromResult(member.Server!.Host.IsPublished), "the member has published itself");
        var reserve = Path.Combine(member.Options.DataDir, "raft", DiskReserve.FileName);
        Assert.True(File.Exists(reserve));
        Assert.Equal(HttpStatusCode.Created, await member.PutAsync("a", "1"u8.ToArray()));

        Volatile.Write(ref diskFull, 1);
        faults.FailNext(errno: 28, writes: 1);
        Assert.Equal(HttpStatusCode.Created, await member.PutAsync("b", "2"u8.ToArray()));
        Assert.False(File.Exists(reserve));

        await AssertReadOnlyAsync(member);

        Volatile.Write(ref diskFull, 0);
        await WaitUntilAsync(async () => (await member.GetAsync("/readyz")).Status == HttpStatusCode.OK, "the member is ready again");
        Assert.True(File.Exists(reserve));
        Assert.Equal(HttpStatusCode.Created, await member.PutAsync("d", "4"u8.ToArray()));

        await member.RestartAsync();
        foreach (var (key, value) in new[] { ("a", "1"), ("b", "2"), ("d", "4") })
        {
            var read = await member.GetAsync("/v1/kv/" + key);
            Assert.Equal(HttpStatusCode.OK, read.Status);
            Assert.Equal(value, Encoding.UTF8.GetString(read.Body));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync("/v1/kv/c")).Status);
    }

    [Fact]
    public async Task A_second_full_disk_with_no_reserve_left_stops_the_member_with_exit_code_1()
    {
        var faults = new FaultSwitch();
        var seams = new NodeSeams { LogDevice = path => new SwitchableLogDevice(path, faults), AvailableDiskBytes = _ => 0 };
        await using var member = await RestartableMember.StartAsync(seams, options => options with { DiskReserveBytes = ReserveBytes });
        // The member publishes its name through the log just after it starts: let that write pass before a fault is armed,
        // so the fault hits the test's own write.
        await WaitUntilAsync(() => Task.FromResult(member.Server!.Host.IsPublished), "the member has published itself");
        faults.FailNext(errno: 28, writes: 1);
        Assert.Equal(HttpStatusCode.Created, await member.PutAsync("a", "1"u8.ToArray()));

        faults.FailNext(errno: 28, writes: int.MaxValue);
        using var content = new StringContent("""{"ttl_seconds":60}""", Encoding.UTF8, "application/json");
        using var grant = await member.Client.PostAsync(new Uri("/v1/leases", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.InsufficientStorage, grant.StatusCode);

        // Housekeeping still writes while read-only; with the reserve spent, the next failed write is fatal.
        var failed = member.Server!.Host.ProposeHousekeepingAsync(new Distate.Store.Commands.CompactCommand(new Distate.Store.Revision(1)), CancellationToken.None);
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => failed.WaitAsync(Deadline));
        var failure = await member.Server.Host.Failed.WaitAsync(Deadline);
        Assert.Contains("No disk reserve is left", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, await member.Server.RunAsync().WaitAsync(Deadline));
    }

    private static async Task AssertReadOnlyAsync(RestartableMember member)
    {
        using (var content = new ByteArrayContent("3"u8.ToArray()))
        using (var refused = await member.Client.PutAsync(new Uri("/v1/kv/c", UriKind.Relative), content))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Contains("disk_full", body, StringComparison.Ordinal);
            Assert.Contains("disk holding", body, StringComparison.Ordinal);
        }

        using (var content = new StringContent($$"""{"key":"{{B64("c")}}","value":"{{B64("3")}}"}"""))
        using (var refused = await member.Client.PostAsync(new Uri("/v3/kv/put", UriKind.Relative), content))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("disk holding", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("2", Encoding.UTF8.GetString((await member.GetAsync("/v1/kv/b")).Body));
        Assert.Equal("2", Encoding.UTF8.GetString((await member.GetAsync("/v1/kv/b?consistency=serializable")).Body));
        var ready = await member.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains("disk holding", Encoding.UTF8.GetString(ready.Body), StringComparison.Ordinal);
    }
}
