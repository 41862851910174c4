using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the /v1/kv REST API on a real single member over loopback: values round-trip as raw bytes (binary included)
/// with ETag and X-Distate-* headers; prefix listings show UTF-8 text or base64 with a marker and honour limit; historical
/// reads work and compacted or future revisions get 410/400 JSON naming the revision; If-Match is an atomic
/// compare-and-swap (412 with the current mod revision leaves the value unchanged) and If-None-Match: * creates only;
/// deletes report how many keys went; a missing key is a 404 JSON; and every malformed request is a JSON 4xx that leaves
/// the store revision where it was.
/// </summary>
public sealed class RestKvTests(RestMember member) : IClassFixture<RestMember>
{
    [Fact]
    public async Task Put_then_get_round_trips_binary_bytes_with_etag_and_revision_headers()
    {
        byte[] value = [.. Enumerable.Range(0, 256).Select(b => (byte)b)];
        using var put = await member.PutAsync("/v1/kv/round/trip", value);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        long revision = RestMember.EntityTag(put);
        Assert.Equal(revision.ToString(CultureInfo.InvariantCulture), RestMember.Header(put, "X-Distate-Revision"));
        var written = await JsonAsync(put);
        Assert.True(written.GetProperty("created").GetBoolean());
        Assert.Equal("round/trip", written.GetProperty("key").GetString());
        Assert.Equal(revision, written.GetProperty("mod_revision").GetInt64());
        Assert.Equal(1, written.GetProperty("version").GetInt64());

        using var get = await member.SendAsync(HttpMethod.Get, "/v1/kv/round/trip");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(value, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{revision}\"", get.Headers.ETag?.Tag);
        Assert.Equal(revision.ToString(CultureInfo.InvariantCulture), RestMember.Header(get, "X-Distate-Mod-Revision"));
        Assert.Equal(revision.ToString(CultureInfo.InvariantCulture), RestMember.Header(get, "X-Distate-Create-Revision"));
        Assert.Equal("1", RestMember.Header(get, "X-Distate-Version"));
        Assert.Null(RestMember.Header(get, "X-Distate-Lease"));
        Assert.True(long.Parse(RestMember.Header(get, "X-Distate-Revision")!, CultureInfo.InvariantCulture) >= revision);

        using var again = await member.PutAsync("/v1/kv/round/trip", "second"u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replaced = await JsonAsync(again);
        Assert.False(replaced.GetProperty("created").GetBoolean());
        Assert.Equal(2, replaced.GetProperty("version").GetInt64());
        Assert.Equal(revision, replaced.GetProperty("create_revision").GetInt64());
        Assert.True(RestMember.EntityTag(again) > revision);
    }

    [Fact]
    public async Task Keys_are_the_percent_decoded_path_bytes_including_a_leading_slash()
    {
        using var put = await member.PutAsync("/v1/kv//registry/a%2Fb", "x"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("/registry/a/b", (await JsonAsync(put)).GetProperty("key").GetString());
        var stored = (RangeResult)member.Store.Range(new RangeCommand { Key = "/registry/a/b"u8.ToArray() });
        Assert.Single(stored.Kvs);

        using var binaryKey = await member.PutAsync("/v1/kv/bin%FF", "y"u8.ToArray());
        var written = await JsonAsync(binaryKey);
        Assert.Equal("base64", written.GetProperty("key_encoding").GetString());
        Assert.Equal(Convert.ToBase64String(new byte[] { (byte)'b', (byte)'i', (byte)'n', 0xff }), written.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Prefix_listing_shows_text_or_base64_with_a_marker_and_honours_limit()
    {
        await member.PutAsync("/v1/kv/list/a", "plain text"u8.ToArray());
        await member.PutAsync("/v1/kv/list/b", [0xff, 0xfe, 0x00]);
        await member.PutAsync("/v1/kv/list/%FF", "under a binary key"u8.ToArray());
        await member.PutAsync("/v1/kv/lisu", "not under list/"u8.ToArray());

        using var all = await member.SendAsync(HttpMethod.Get, "/v1/kv/list/?prefix=true");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        var listing = await JsonAsync(all);
        Assert.Equal(3, listing.GetProperty("count").GetInt64());
        Assert.False(listing.GetProperty("more").GetBoolean());
        var kvs = listing.GetProperty("kvs");
        Assert.Equal(3, kvs.GetArrayLength());
        Assert.Equal("list/a", kvs[0].GetProperty("key").GetString());
        Assert.Equal("plain text", kvs[0].GetProperty("value").GetString());
        Assert.False(kvs[0].TryGetProperty("value_encoding", out _));
        Assert.Equal("base64", kvs[1].GetProperty("value_encoding").GetString());
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00 }, Convert.FromBase64String(kvs[1].GetProperty("value").GetString()!));
        Assert.Equal("base64", kvs[2].GetProperty("key_encoding").GetString());
        Assert.Equal(new byte[] { (byte)'l', (byte)'i', (byte)'s', (byte)'t', (byte)'/', 0xff }, Convert.FromBase64String(kvs[2].GetProperty("key").GetString()!));
        Assert.Equal("under a binary key", kvs[2].GetProperty("value").GetString());

        using var limited = await member.SendAsync(HttpMethod.Get, "/v1/kv/list/?prefix&limit=2&consistency=serializable");
        var page = await JsonAsync(limited);
        Assert.Equal(2, page.GetProperty("kvs").GetArrayLength());
        Assert.True(page.GetProperty("more").GetBoolean());
        Assert.Equal(3, page.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Historical_reads_work_and_compacted_or_future_revisions_are_json_errors_naming_the_revision()
    {
        using var first = await member.PutAsync("/v1/kv/history", "one"u8.ToArray());
        long firstRevision = RestMember.EntityTag(first);
        using var second = await member.PutAsync("/v1/kv/history", "two"u8.ToArray());
        long secondRevision = RestMember.EntityTag(second);

        using var old = await member.SendAsync(HttpMethod.Get, $"/v1/kv/history?revision={firstRevision}");
        Assert.Equal("one", await old.Content.ReadAsStringAsync());
        Assert.Equal($"\"{firstRevision}\"", old.Headers.ETag?.Tag);

        long current = member.Store.CurrentRevision.Value;
        using var future = await member.SendAsync(HttpMethod.Get, $"/v1/kv/history?revision={current + 100}");
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        var futureError = await JsonAsync(future);
        Assert.Equal("future_revision", futureError.GetProperty("code").GetString());
        Assert.Contains(current.ToString(CultureInfo.InvariantCulture), futureError.GetProperty("error").GetString(), StringComparison.Ordinal);

        var compact = await member.Server.Host.ProposeAsync(new CompactCommand(new Revision(secondRevision)), CancellationToken.None);
        Assert.IsType<CompactResult>(compact);
        using var compacted = await member.SendAsync(HttpMethod.Get, $"/v1/kv/history?revision={firstRevision}");
        Assert.Equal(HttpStatusCode.Gone, compacted.StatusCode);
        var error = await JsonAsync(compacted);
        Assert.Equal("compacted", error.GetProperty("code").GetString());
        Assert.Equal(secondRevision, error.GetProperty("compact_revision").GetInt64());
        Assert.Contains(secondRevision.ToString(CultureInfo.InvariantCulture), error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task If_match_swaps_only_when_the_etag_matches_and_a_mismatch_changes_nothing()
    {
        using var created = await member.PutAsync("/v1/kv/cas", "v1"u8.ToArray());
        string firstTag = created.Headers.ETag!.Tag;
        using var swapped = await member.PutAsync("/v1/kv/cas", "v2"u8.ToArray(), ("If-Match", firstTag));
        Assert.Equal(HttpStatusCode.OK, swapped.StatusCode);
        long secondRevision = RestMember.EntityTag(swapped);

        long before = member.Store.CurrentRevision.Value;
        using var stale = await member.PutAsync("/v1/kv/cas", "v3"u8.ToArray(), ("If-Match", firstTag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var error = await JsonAsync(stale);
        Assert.Equal("precondition_failed", error.GetProperty("code").GetString());
        Assert.Equal(secondRevision, error.GetProperty("current_mod_revision").GetInt64());
        Assert.Equal(before, member.Store.CurrentRevision.Value);
        Assert.Equal("v2", await GetTextAsync("/v1/kv/cas"));

        using var missing = await member.PutAsync("/v1/kv/cas-missing", "x"u8.ToArray(), ("If-Match", "*"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, missing.StatusCode);
        Assert.Equal(0, (await JsonAsync(missing)).GetProperty("current_mod_revision").GetInt64());
        using var absent = await member.SendAsync(HttpMethod.Get, "/v1/kv/cas-missing");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task If_none_match_star_creates_only()
    {
        using var created = await member.PutAsync("/v1/kv/create-only", "first"u8.ToArray(), ("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var refused = await member.PutAsync("/v1/kv/create-only", "second"u8.ToArray(), ("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(RestMember.EntityTag(created), (await JsonAsync(refused)).GetProperty("current_mod_revision").GetInt64());
        Assert.Equal("first", await GetTextAsync("/v1/kv/create-only"));
    }

    [Fact]
    public async Task Conditional_get_answers_304_while_the_etag_is_current()
    {
        using var put = await member.PutAsync("/v1/kv/cached", "v"u8.ToArray());
        using var same = await member.SendAsync(HttpMethod.Get, "/v1/kv/cached", ("If-None-Match", put.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        using var other = await member.SendAsync(HttpMethod.Get, "/v1/kv/cached", ("If-None-Match", "\"1\""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Delete_honours_if_match_reports_the_count_and_a_missing_key_is_a_404_json_on_read()
    {
        using var put = await member.PutAsync("/v1/kv/gone", "v"u8.ToArray());
        using var stale = await member.SendAsync(HttpMethod.Delete, "/v1/kv/gone", ("If-Match", "\"1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("v", await GetTextAsync("/v1/kv/gone"));

        using var deleted = await member.SendAsync(HttpMethod.Delete, "/v1/kv/gone", ("If-Match", put.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(1, (await JsonAsync(deleted)).GetProperty("deleted").GetInt64());

        using var missing = await member.SendAsync(HttpMethod.Get, "/v1/kv/gone");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/json", missing.Content.Headers.ContentType?.MediaType);
        var error = await JsonAsync(missing);
        Assert.Equal("key_not_found", error.GetProperty("code").GetString());
        Assert.Contains("\"gone\"", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var again = await member.SendAsync(HttpMethod.Delete, "/v1/kv/gone");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(0, (await JsonAsync(again)).GetProperty("deleted").GetInt64());

        await member.PutAsync("/v1/kv/tree/1", "a"u8.ToArray());
        await member.PutAsync("/v1/kv/tree/2", "b"u8.ToArray());
        using var prefix = await member.SendAsync(HttpMethod.Delete, "/v1/kv/tree/?prefix=true");
        Assert.Equal(2, (await JsonAsync(prefix)).GetProperty("deleted").GetInt64());
    }

    [Theory]
    [InlineData("GET", "/v1/kv/a?revision=abc", null, "'revision'")]
    [InlineData("GET", "/v1/kv/a?revision=0", null, "'revision'")]
    [InlineData("GET", "/v1/kv/a?revision=-3", null, "'revision'")]
    [InlineData("GET", "/v1/kv/a?limit=5", null, "'limit' applies only")]
    [InlineData("GET", "/v1/kv/a?prefix=true&limit=0", null, "'limit'")]
    [InlineData("GET", "/v1/kv/a?prefix=maybe", null, "'prefix'")]
    [InlineData("GET", "/v1/kv/a?consistency=eventual", null, "'consistency'")]
    [InlineData("GET", "/v1/kv/a?prefx=true", null, "unknown query parameter 'prefx'")]
    [InlineData("GET", "/v1/kv/a?revision=1&revision=2", null, "given 2 times")]
    [InlineData("GET", "/v1/kv/", null, "key is empty")]
    [InlineData("PUT", "/v1/kv/", null, "key is empty")]
    [InlineData("PUT", "/v1/kv/a?lease=abc", null, "'lease'")]
    [InlineData("PUT", "/v1/kv/a?lease=987654", null, "lease does not exist")]
    [InlineData("PUT", "/v1/kv/a", "If-Match: W/\"3\"", "ETag")]
    [InlineData("PUT", "/v1/kv/a", "If-Match: \"3\", \"4\"", "ETag")]
    [InlineData("PUT", "/v1/kv/a", "If-None-Match: \"3\"", "supports only *")]
    [InlineData("PUT", "/v1/kv/a%zz", null, "percent-encoding")]
    [InlineData("DELETE", "/v1/kv/?prefix=true", null, "empty prefix")]
    [InlineData("DELETE", "/v1/kv/a?prefix=true", "If-Match: \"3\"", "not to a prefix")]
    [InlineData("DELETE", "/v1/kv/a", "If-None-Match: *", "not supported")]
    public async Task Bad_input_gets_a_400_json_error_saying_what_is_wrong_and_changes_nothing(string method, string path, string? header, string expected)
    {
        long before = member.Store.CurrentRevision.Value;
        int colon = header?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        (string, string)[] headers = header is null ? [] : [(header[..colon], header[(colon + 2)..])];
        using var response = method == "PUT"
            ? await member.PutAsync(path, "value"u8.ToArray(), headers)
            : await member.SendAsync(new HttpMethod(method), path, headers);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = await JsonAsync(response);
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
        Assert.Equal(before, member.Store.CurrentRevision.Value);
    }

    [Fact]
    public async Task An_oversized_value_is_refused_with_413_json_and_changes_nothing()
    {
        long before = member.Store.CurrentRevision.Value;
        using var response = await member.PutAsync("/v1/kv/huge", new byte[member.Host.Limits.MaxRequestBytes + 1]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = await JsonAsync(response);
        Assert.Equal("too_large", error.GetProperty("code").GetString());
        Assert.Contains(member.Host.Limits.MaxRequestBytes.ToString(CultureInfo.InvariantCulture), error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, member.Store.CurrentRevision.Value);
    }

    private async Task<string> GetTextAsync(string path)
    {
        using var response = await member.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
