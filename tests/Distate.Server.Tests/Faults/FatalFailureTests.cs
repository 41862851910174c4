using System.Net;
using Distate.Node.Envelope;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Server.Tests.Support;

namespace Distate.Server.Tests.Faults;

/// <summary>
/// Proves crash-only behaviour with fault-injection seams: when the apply task (a state machine that throws) or the
/// storage (a disk that fails writes with EIO) fails, the member logs the failure at once with its stack, fails the
/// waiting request with a 503 naming the cause, turns /healthz and /readyz to 503 with the cause, refuses new requests
/// at once, and its run loop ends with exit code 1 — never a live process with a dead loop.
/// </summary>
public sealed class FatalFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_apply_failure_is_logged_with_its_stack_fails_waiting_requests_turns_health_red_and_exits_non_zero()
    {
        var armed = 0;
        var log = new CapturedLog();
        var seams = new NodeSeams
        {
            BeforeApply = (_, envelope) =>
            {
                if (Volatile.Read(ref armed) == 1 && envelope.Kind == EntryKind.StoreCommand)
                {
                    throw new InvalidOperationException("injected apply failure");
                }
            },
        };
        await using var member = await LoopbackMember.StartAsync(seams: seams, logging: log.AddTo);
        await member.PutAsync("before", "1");
        Volatile.Write(ref armed, 1);

        var waiting = await member.PostAsync("/v3/kv/put", """{"key":"YWZ0ZXI=","value":"Mg=="}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.Status);
        Assert.Contains("apply task failed", waiting.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertStoppedForGoodAsync(member, log, "apply task", "injected apply failure");
    }

    [Fact]
    public async Task A_storage_failure_other_than_a_full_disk_stops_the_member_with_exit_code_1()
    {
        var faults = new FaultSwitch();
        var log = new CapturedLog();
        var seams = new NodeSeams { LogDevice = path => new SwitchableLogDevice(path, faults) };
        await using var member = await LoopbackMember.StartAsync(seams: seams, logging: log.AddTo);
        await member.PutAsync("before", "1");
        faults.FailNext(errno: 5, int.MaxValue);

        var waiting = await member.PostAsync("/v3/kv/put", """{"key":"YWZ0ZXI=","value":"Mg=="}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.Status);
        Assert.Contains("could not persist a write", waiting.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertStoppedForGoodAsync(member, log, "node loop", "could not persist a write");
    }

    private static async Task AssertStoppedForGoodAsync(LoopbackMember member, CapturedLog log, string where, string cause)
    {
        var failure = await member.Server.Host.Failed.WaitAsync(Deadline);
        Assert.Contains(where, failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, await member.Server.RunAsync().WaitAsync(Deadline));

        using (var health = await member.Client.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains(where, await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var ready = await member.Client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains(where, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var fatal = Assert.Single(log.Lines, line => line.StartsWith("Critical:", StringComparison.Ordinal));
        Assert.Contains(where, fatal, StringComparison.Ordinal);
        Assert.Contains(cause, fatal, StringComparison.Ordinal);
        Assert.Contains("   at ", fatal, StringComparison.Ordinal);

        var refused = await member.PostAsync("/v3/kv/put", """{"key":"bGF0ZXI=","value":"Mw=="}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains("failed and is stopping", refused.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
