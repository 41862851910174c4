using System.Globalization;
using System.Net;
using System.Text.Json;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Tests;

/// <summary>
/// Proves GET /v1/watch on a real single member over loopback: puts and deletes arrive as SSE events named put/delete
/// whose id is the revision (only on a revision's last event, so a client's last id always names a complete revision);
/// reconnecting with Last-Event-ID delivers exactly the events missed, with no gap and no duplicate; a resume point that
/// compaction removed gets one error event naming the compact revision and the stream ends; keep-alive comments arrive
/// on the requested interval; and a client that disconnects releases its store watcher (polled with a deadline).
/// </summary>
public sealed class RestWatchTests(RestMember member) : IClassFixture<RestMember>
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Puts_and_deletes_arrive_as_events_with_revision_ids()
    {
        using var stream = await OpenAsync("/v1/watch/events/?prefix=true");
        using var put = await member.PutAsync("/v1/kv/events/a", "one"u8.ToArray());
        long putRevision = RestMember.EntityTag(put);
        using var deleted = await member.SendAsync(HttpMethod.Delete, "/v1/kv/events/a");
        long deleteRevision = (await JsonAsync(deleted)).GetProperty("revision").GetInt64();

        var first = await stream.Reader.ReadEventAsync(EventTimeout);
        Assert.Equal("put", first.Event);
        Assert.Equal(putRevision.ToString(CultureInfo.InvariantCulture), first.Id);
        var data = Parse(first.Data);
        Assert.Equal("put", data.GetProperty("type").GetString());
        Assert.Equal("events/a", data.GetProperty("key").GetString());
        Assert.Equal("one", data.GetProperty("value").GetString());
        Assert.Equal(putRevision, data.GetProperty("mod_revision").GetInt64());

        var second = await stream.Reader.ReadEventAsync(EventTimeout);
        Assert.Equal("delete", second.Event);
        Assert.Equal(deleteRevision.ToString(CultureInfo.InvariantCulture), second.Id);
        Assert.Equal(deleteRevision, Parse(second.Data).GetProperty("mod_revision").GetInt64());
        Assert.False(Parse(second.Data).TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Only_the_last_event_of_a_multi_key_revision_carries_the_id()
    {
        await member.PutAsync("/v1/kv/batch/1", "a"u8.ToArray());
        await member.PutAsync("/v1/kv/batch/2", "b"u8.ToArray());
        using var stream = await OpenAsync("/v1/watch/batch/?prefix");
        using var deleted = await member.SendAsync(HttpMethod.Delete, "/v1/kv/batch/?prefix=true");
        long revision = (await JsonAsync(deleted)).GetProperty("revision").GetInt64();

        var first = await stream.Reader.ReadEventAsync(EventTimeout);
        var last = await stream.Reader.ReadEventAsync(EventTimeout);
        Assert.Equal(("delete", (string?)null), (first.Event, first.Id));
        Assert.Equal(("delete", revision.ToString(CultureInfo.InvariantCulture)), (last.Event, last.Id));
        Assert.Equal(revision, Parse(first.Data).GetProperty("mod_revision").GetInt64());
    }

    [Fact]
    public async Task Resuming_with_last_event_id_delivers_exactly_the_missed_events()
    {
        string seen;
        using (var stream = await OpenAsync("/v1/watch/resume/key"))
        {
            await member.PutAsync("/v1/kv/resume/key", "seen"u8.ToArray());
            seen = (await stream.Reader.ReadEventAsync(EventTimeout)).Id!;
        }

        var missed = new List<long>();
        using (var put = await member.PutAsync("/v1/kv/resume/key", "missed 1"u8.ToArray()))
        {
            missed.Add(RestMember.EntityTag(put));
        }

        await member.PutAsync("/v1/kv/resume/other", "not watched"u8.ToArray());
        using (var deleted = await member.SendAsync(HttpMethod.Delete, "/v1/kv/resume/key"))
        {
            missed.Add((await JsonAsync(deleted)).GetProperty("revision").GetInt64());
        }

        // The original URL asked for history from revision 1: Last-Event-ID must win, or the seen event would repeat.
        using var resumed = await OpenAsync("/v1/watch/resume/key?from_revision=1", ("Last-Event-ID", seen));
        using (var live = await member.PutAsync("/v1/kv/resume/key", "live"u8.ToArray()))
        {
            missed.Add(RestMember.EntityTag(live));
        }

        var received = new List<(string? Event, long Revision)>();
        for (int i = 0; i < 3; i++)
        {
            var frame = await resumed.Reader.ReadEventAsync(EventTimeout);
            received.Add((frame.Event, long.Parse(frame.Id!, CultureInfo.InvariantCulture)));
        }

        Assert.Equal([("put", missed[0]), ("delete", missed[1]), ("put", missed[2])], received);
    }

    [Fact]
    public async Task Resuming_from_compacted_history_gets_an_error_event_naming_the_compact_revision_then_the_end()
    {
        using var first = await member.PutAsync("/v1/kv/compacted/key", "old"u8.ToArray());
        long firstRevision = RestMember.EntityTag(first);
        using var second = await member.PutAsync("/v1/kv/compacted/key", "new"u8.ToArray());
        long compactRevision = RestMember.EntityTag(second);
        Assert.IsType<CompactResult>(await member.Server.Host.ProposeAsync(new CompactCommand(new Revision(compactRevision)), CancellationToken.None));

        using var stream = await OpenAsync("/v1/watch/compacted/key", ("Last-Event-ID", (firstRevision - 1).ToString(CultureInfo.InvariantCulture)));
        var error = await stream.Reader.ReadEventAsync(EventTimeout);
        Assert.Equal("error", error.Event);
        Assert.Null(error.Id);
        var body = Parse(error.Data);
        Assert.Equal("compacted", body.GetProperty("code").GetString());
        Assert.Equal(compactRevision, body.GetProperty("compact_revision").GetInt64());
        Assert.Null(await stream.Reader.ReadFrameAsync(EventTimeout));
    }

    [Fact]
    public async Task Keep_alive_comments_arrive_on_the_requested_interval()
    {
        using var stream = await OpenAsync("/v1/watch/quiet?heartbeat_seconds=1");
        var frame = await stream.Reader.ReadFrameAsync(EventTimeout);
        Assert.NotNull(frame);
        Assert.Null(frame.Event);
        Assert.Equal(["keep-alive"], frame.Comments);
    }

    [Fact]
    public async Task A_disconnected_client_releases_its_watcher()
    {
        // Streams closed by earlier tests are released asynchronously too: start from a store with no watchers.
        Assert.True(await WatcherCountReachesAsync(0), "watchers of earlier tests were never released");
        var stream = await OpenAsync("/v1/watch/leave/?prefix=true");
        Assert.Equal(1, member.Store.WatcherCount);
        stream.Dispose();
        Assert.True(await WatcherCountReachesAsync(0), $"the watcher was not released; {member.Store.WatcherCount} remain");
    }

    [Theory]
    [InlineData("/v1/watch/k", "Last-Event-ID", "yesterday", "Last-Event-ID")]
    [InlineData("/v1/watch/k?from_revision=0", null, null, "'from_revision'")]
    [InlineData("/v1/watch/k?heartbeat_seconds=100000", null, null, "'heartbeat_seconds'")]
    [InlineData("/v1/watch/", null, null, "key is empty")]
    public async Task Bad_watch_requests_get_a_400_json_error_and_register_no_watcher(string path, string? header, string? value, string expected)
    {
        Assert.True(await WatcherCountReachesAsync(0), "watchers of earlier tests were never released");
        (string, string)[] headers = header is null ? [] : [(header, value!)];
        using var response = await member.SendAsync(HttpMethod.Get, path, headers);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, member.Store.WatcherCount);
    }

    /// <summary>Opens a watch and returns once its headers arrived, which the server sends only after registering the watcher.</summary>
    private async Task<OpenWatchStream> OpenAsync(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, member.Address(path));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await member.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        var opening = await reader.ReadFrameAsync(EventTimeout);
        Assert.StartsWith("watching from revision ", Assert.Single(opening!.Comments), StringComparison.Ordinal);
        return new OpenWatchStream(request, response, reader);
    }

    /// <summary>Polls the store's watcher count until it is <paramref name="expected"/> or ten seconds pass.</summary>
    private async Task<bool> WatcherCountReachesAsync(int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (member.Store.WatcherCount != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return member.Store.WatcherCount == expected;
    }

    private static JsonElement Parse(string? data)
    {
        Assert.NotNull(data);
        using var document = JsonDocument.Parse(data);
        return document.RootElement.Clone();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => Parse(await response.Content.ReadAsStringAsync());
}
