using System.Net;
using System.Text.Json;
using static Distate.Server.Tests.LoopbackMember;

namespace Distate.Server.Tests;

/// <summary>
/// Proves /v3/watch streams what etcd 3.4's gateway streams, on a real member over loopback with an open request body:
/// a created line first (watch_id omitted for id 0), then puts and deletes in revision order with prev_kv and filters
/// honoured, history replayed from a start revision, a compacted start answered with compact_revision and canceled,
/// several watches on one stream with per-stream ids, cancel, progress, refusals on the stream, a bad first message
/// answered with a 400 instead of a stream, and every watcher released when the client disconnects. Nothing waits on
/// time: a line that should not come is shown absent by a later line that must come first.
/// </summary>
public sealed class EtcdWatchTests : IAsyncLifetime
{
    private LoopbackMember _member = null!;

    public async Task InitializeAsync() => _member = await LoopbackMember.StartAsync();

    public async Task DisposeAsync() => await _member.DisposeAsync();

    [Fact]
    public async Task Created_line_then_puts_and_deletes_in_revision_order()
    {
        long before = await _member.CurrentRevisionAsync();
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("k")}}}"}}""");
        Assert.Equal(HttpStatusCode.OK, watch.Status);

        var created = await watch.NextAsync();
        Assert.True(created.GetProperty("created").GetBoolean());
        Assert.False(created.TryGetProperty("watch_id", out _));
        Assert.Equal(before, Revision(created));
        Assert.False(created.TryGetProperty("events", out _));

        long first = await _member.PutAsync("k", "v1");
        long second = await _member.PutAsync("k", "v2");
        var deleted = await _member.PostAsync("/v3/kv/deleterange", $$$"""{"key":"{{{B64("k")}}}"}""");
        long third = Revision(deleted.Json);

        var put1 = SingleEvent(await watch.NextAsync(), first);
        Assert.False(put1.TryGetProperty("type", out _));
        Assert.Equal("v1", Text(put1.GetProperty("kv"), "value"));
        Assert.Equal(first, Int64(put1.GetProperty("kv"), "create_revision"));
        Assert.Equal(1, Int64(put1.GetProperty("kv"), "version"));
        var put2 = SingleEvent(await watch.NextAsync(), second);
        Assert.Equal(2, Int64(put2.GetProperty("kv"), "version"));
        var delete = SingleEvent(await watch.NextAsync(), third);
        Assert.Equal("DELETE", delete.GetProperty("type").GetString());
        Assert.Equal(third, Int64(delete.GetProperty("kv"), "mod_revision"));
        Assert.False(delete.GetProperty("kv").TryGetProperty("value", out _));
        Assert.False(delete.TryGetProperty("prev_kv", out _));
    }

    [Fact]
    public async Task Prev_kv_and_filters_shape_the_events()
    {
        var prefix = "{\"key\":\"" + B64("p/") + "\",\"range_end\":\"" + B64("p0") + "\"";
        await using var watch = await OpenAsync($$$"""{"create_request":{{{prefix}}},"prev_kv":true,"filters":["NOPUT"]}}""");
        watch.Send($$$"""{"create_request":{{{prefix}}},"filters":["NODELETE"]}}""");
        Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());
        Assert.Equal(1, Int64(await watch.NextAsync(), "watch_id"));

        long put = await _member.PutAsync("p/a", "old");
        await _member.PutAsync("outside", "x");
        var deleted = await _member.PostAsync("/v3/kv/deleterange", $$$"""{"key":"{{{B64("p/a")}}}"}""");

        // Watch 1 (no deletes) sees the put; watch 0 (no puts) sees only the delete, with the value it removed.
        var lines = new[] { await watch.NextAsync(), await watch.NextAsync() };
        var putLine = Assert.Single(lines, line => Int64(line, "watch_id") == 1);
        Assert.Equal("old", Text(SingleEvent(putLine, put).GetProperty("kv"), "value"));
        var deleteLine = Assert.Single(lines, line => Int64(line, "watch_id") == 0);
        var delete = SingleEvent(deleteLine, Revision(deleted.Json));
        Assert.Equal("DELETE", delete.GetProperty("type").GetString());
        Assert.Equal("old", Text(delete.GetProperty("prev_kv"), "value"));
        Assert.Equal(put, Int64(delete.GetProperty("prev_kv"), "mod_revision"));
    }

    [Fact]
    public async Task Start_revision_replays_history_then_goes_live()
    {
        long first = await _member.PutAsync("h", "1");
        long second = await _member.PutAsync("h", "2");
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("h")}}}","start_revision":"{{{first}}}"}}""");
        Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());

        Assert.Equal("1", Text(SingleEvent(await watch.NextAsync(), first).GetProperty("kv"), "value"));
        Assert.Equal("2", Text(SingleEvent(await watch.NextAsync(), second).GetProperty("kv"), "value"));
        long third = await _member.PutAsync("h", "3");
        Assert.Equal("3", Text(SingleEvent(await watch.NextAsync(), third).GetProperty("kv"), "value"));
    }

    [Fact]
    public async Task Compacted_start_revision_is_created_then_canceled_with_compact_revision()
    {
        long first = await _member.PutAsync("c", "1");
        long second = await _member.PutAsync("c", "2");
        var compact = await _member.PostAsync("/v3/kv/compaction", $$$"""{"revision":"{{{second}}}"}""");
        Assert.Equal(HttpStatusCode.OK, compact.Status);

        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("c")}}}","start_revision":"{{{first}}}"}}""");
        Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());
        var canceled = await watch.NextAsync();
        Assert.True(canceled.GetProperty("canceled").GetBoolean());
        Assert.Equal(second, Int64(canceled, "compact_revision"));
        Assert.False(canceled.TryGetProperty("cancel_reason", out _));
        Assert.False(canceled.GetProperty("header").TryGetProperty("revision", out _));
        await WaitForWatchersAsync(0);
    }

    [Fact]
    public async Task Two_watches_share_a_stream_and_cancel_stops_only_one()
    {
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("a")}}}"}}""");
        watch.Send($$$"""{"create_request":{"key":"{{{B64("a")}}}"}}""");
        Assert.False((await watch.NextAsync()).TryGetProperty("watch_id", out _));
        Assert.Equal(1, Int64(await watch.NextAsync(), "watch_id"));

        long put = await _member.PutAsync("a", "1");
        var ids = new[] { Int64(await watch.NextAsync(), "watch_id"), Int64(await watch.NextAsync(), "watch_id") };
        Assert.Equal(new long[] { 0, 1 }, ids.Order());

        watch.Send("""{"cancel_request":{"watch_id":"0"}}""");
        var canceled = await watch.NextAsync();
        Assert.True(canceled.GetProperty("canceled").GetBoolean());
        Assert.False(canceled.TryGetProperty("watch_id", out _));
        await WaitForWatchersAsync(1);

        long next = await _member.PutAsync("a", "2");
        var only = await watch.NextAsync();
        Assert.Equal(1, Int64(only, "watch_id"));
        SingleEvent(only, next);
        Assert.True(next > put);

        // A new watch takes the next id, not the canceled one.
        watch.Send($$$"""{"create_request":{"key":"{{{B64("a")}}}"}}""");
        Assert.Equal(2, Int64(await watch.NextAsync(), "watch_id"));
    }

    [Fact]
    public async Task Progress_request_is_answered_on_the_stream_after_the_events_it_covers()
    {
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("g")}}}"}}""");
        await watch.NextAsync();
        long put = await _member.PutAsync("g", "1");
        watch.Send("""{"progress_request":{}}""");

        SingleEvent(await watch.NextAsync(), put);
        var progress = await watch.NextAsync();
        Assert.Equal(-1, Int64(progress, "watch_id"));
        Assert.True(Revision(progress) >= put);
        Assert.False(progress.TryGetProperty("events", out _));
    }

    [Fact]
    public async Task Watches_with_progress_notify_get_periodic_progress_and_others_do_not()
    {
        await using var member = await LoopbackMember.StartAsync(options => options with { WatchProgressNotifyIntervalMs = 100 });
        long put = await member.PutAsync("n", "1");
        await using var quiet = await WatchClient.OpenAsync(member.Server.ClientUrl, $$$"""{"create_request":{"key":"{{{B64("n")}}}"}}""", false);
        await using var notified = await WatchClient.OpenAsync(member.Server.ClientUrl, $$$"""{"create_request":{"key":"{{{B64("n")}}}","progress_notify":true}}""", false);
        await quiet.NextAsync();
        await notified.NextAsync();

        // The timer, not a request, produces this line: no events, the current revision.
        var progress = await notified.NextAsync();
        Assert.False(progress.TryGetProperty("events", out _));
        Assert.Equal(put, Revision(progress));

        // The other watch saw no progress line: its next line is the event that follows.
        long next = await member.PutAsync("n", "2");
        SingleEvent(await quiet.NextAsync(), next);
    }

    [Fact]
    public async Task Progress_waits_for_a_watch_catching_up_from_history()
    {
        long first = await _member.PutAsync("y", "1");
        long second = await _member.PutAsync("y", "2");
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("y")}}}","start_revision":"{{{first}}}"}}""");
        watch.Send("""{"progress_request":{}}""");
        watch.Send("""{"progress_request":{}}""");

        Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());
        SingleEvent(await watch.NextAsync(), first);
        SingleEvent(await watch.NextAsync(), second);
        var progress = await watch.NextAsync();
        Assert.Equal(-1, Int64(progress, "watch_id"));
        Assert.True(Revision(progress) >= second);

        // The second request shared the first one's answer, or got its own; either way the stream stays in order.
        long third = await _member.PutAsync("y", "3");
        var next = await watch.NextAsync();
        if (Int64(next, "watch_id") == -1)
        {
            next = await watch.NextAsync();
        }

        SingleEvent(next, third);
    }

    [Fact]
    public async Task Server_shutdown_ends_open_streams_promptly()
    {
        var member = await LoopbackMember.StartAsync();
        await using var watch = await WatchClient.OpenAsync(member.Server.ClientUrl, """{"create_request":{"key":"eg=="}}""");
        await watch.NextAsync();

        var stopping = member.DisposeAsync().AsTask();
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(15))));
        await stopping;
        Assert.Equal(0, member.Server.Host.Store.WatcherCount);
    }

    [Fact]
    public async Task Bad_create_requests_on_an_open_stream_are_refused_on_the_stream()
    {
        await using var watch = await OpenAsync("""{"create_request":{"key":"eA==","watch_id":"7"}}""");
        Assert.Equal(7, Int64(await watch.NextAsync(), "watch_id"));

        watch.Send("""{"create_request":{"key":"eA==","watch_id":"7"}}""");
        var duplicate = await watch.NextAsync();
        Assert.Equal(-1, Int64(duplicate, "watch_id"));
        Assert.True(duplicate.GetProperty("created").GetBoolean());
        Assert.True(duplicate.GetProperty("canceled").GetBoolean());
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", duplicate.GetProperty("cancel_reason").GetString());

        watch.Send("""{"create_request":{"key":"!!"}}""");
        var badBase64 = await watch.NextAsync();
        Assert.Contains("not valid base64", badBase64.GetProperty("cancel_reason").GetString(), StringComparison.Ordinal);

        // The stream still works: ids continue from 0 for auto-assigned watches.
        watch.Send("""{"create_request":{"key":"eA=="}}""");
        Assert.False((await watch.NextAsync()).TryGetProperty("watch_id", out _));
        Assert.Equal(2, _member.Server.Host.Store.WatcherCount);
    }

    [Theory]
    [InlineData("""{"create_request":{"key":"!!"}}""", "not valid base64")]
    [InlineData("""{"create_request":{"key":"eA==","filters":["NOPE"]}}""", "NOPUT or NODELETE")]
    [InlineData("""{"create_request":""", "malformed JSON")]
    [InlineData("""{"bogus":1}""", "unknown field \"bogus\"")]
    public async Task A_bad_first_message_gets_a_400_json_error_instead_of_a_stream(string body, string expected)
    {
        await using var watch = await OpenAsync(body, endRequests: true);
        Assert.Equal(HttpStatusCode.BadRequest, watch.Status);
        var error = await watch.NextLineAsync();
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, error.GetProperty("code").GetInt32());
        Assert.Equal(0, _member.Server.Host.Store.WatcherCount);
    }

    [Fact]
    public async Task Client_disconnect_releases_every_watcher_of_the_stream()
    {
        var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("d")}}}"}}""");
        watch.Send($$$"""{"create_request":{"key":"{{{B64("e")}}}","start_revision":"1"}}""");
        await watch.NextAsync();
        await watch.NextAsync();
        Assert.Equal(2, _member.Server.Host.Store.WatcherCount);

        await watch.DisposeAsync();
        await WaitForWatchersAsync(0);
    }

    [Fact]
    public async Task Client_disconnect_after_ending_its_requests_releases_the_watcher()
    {
        var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("q")}}}"}}""", endRequests: true);
        await watch.NextAsync();
        Assert.Equal(1, _member.Server.Host.Store.WatcherCount);

        await watch.DisposeAsync();
        await WaitForWatchersAsync(0);
    }

    [Fact]
    public async Task The_stream_stays_open_after_the_client_ends_its_requests()
    {
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("o")}}}"}}""");
        watch.EndRequests();
        await watch.NextAsync();
        long put = await _member.PutAsync("o", "1");
        SingleEvent(await watch.NextAsync(), put);
    }

    [Fact]
    public async Task Watches_per_stream_are_limited()
    {
        var limit = Api.WatchStreamSettings.Default.MaxWatchesPerStream;
        await using var watch = await OpenAsync($$$"""{"create_request":{"key":"{{{B64("l")}}}"}}""");
        for (int i = 1; i <= limit; i++)
        {
            watch.Send($$$"""{"create_request":{"key":"{{{B64("l")}}}"}}""");
        }

        for (int i = 0; i < limit; i++)
        {
            Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());
        }

        var refused = await watch.NextAsync();
        Assert.Equal(-1, Int64(refused, "watch_id"));
        Assert.Contains("too many watches on one stream", refused.GetProperty("cancel_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(limit, _member.Server.Host.Store.WatcherCount);
    }

    private Task<WatchClient> OpenAsync(string firstMessage, bool endRequests = false) =>
        WatchClient.OpenAsync(_member.Server.ClientUrl, firstMessage, endRequests);

    /// <summary>The single event of an events line, after checking the line is at the expected revision.</summary>
    private static JsonElement SingleEvent(JsonElement line, long revision)
    {
        Assert.Equal(revision, Revision(line));
        var change = Assert.Single(line.GetProperty("events").EnumerateArray());
        Assert.Equal(revision, Int64(change.GetProperty("kv"), "mod_revision"));
        return change;
    }

    /// <summary>Polls the store's watcher count until it reaches the expected value or a bounded deadline passes.</summary>
    private async Task WaitForWatchersAsync(int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_member.Server.Host.Store.WatcherCount != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(expected, _member.Server.Host.Store.WatcherCount);
    }
}
