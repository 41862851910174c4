using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Distate.Server.Configuration;
using Microsoft.AspNetCore.Routing;
using static Distate.Server.Tests.LoopbackMember;

namespace Distate.Server.Tests;

/// <summary>
/// Proves a client's mistake is never a 500 and never an empty answer, on a real member over loopback: every route of
/// both APIs (taken from the running member's routing table, so a new route is swept without editing this test) gets
/// hostile bodies — invalid UTF-8, escaped lone surrogates, duplicate fields, unknown fields, wrong types, an empty body,
/// JSON null, deep nesting — and every error answer must be JSON in its API's shape: <c>{"error","code":"..."}</c> under
/// /v1, etcd's <c>{"error","code":N,"message"}</c> elsewhere. Then one test per finding of issue 10: the framework's own
/// 404/405/413/414/431, a bad message on an open /v3/watch or keep-alive stream, a slow body (408, ours and Kestrel's),
/// HEAD, /v1/leases, and the internal publish endpoint (reachable on the client port too).
/// </summary>
public sealed class ClientErrorsTests : IAsyncLifetime
{
    private const int RequestTimeoutMs = 1000;
    private const int MaxRequestBytes = 16 * 1024;
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(5);
    private LoopbackMember _member = null!;

    /// <summary>Hostile bodies; Refused: every route that reads a JSON body must answer 4xx (an empty body may be legal).</summary>
    private static readonly (string Name, byte[] Body, bool Refused)[] HostileBodies =
    [
        ("invalid UTF-8 in a value", [.. "{\"key\":\""u8, 0xff, 0xfe, .. "\"}"u8], true),
        ("invalid UTF-8 in a field name", [.. "{\""u8, 0xc0, 0xaf, .. "\":1}"u8], true),
        ("escaped lone surrogate", "{\"key\":\"\\ud800\"}"u8.ToArray(), true),
        ("escaped lone surrogate in a nested value", "{\"create_request\":{\"key\":\"\\udc00\"},\"success\":[{\"x\":\"\\ud800\"}]}"u8.ToArray(), true),
        ("duplicate field", "{\"key\":\"YQ==\",\"key\":\"Yg==\"}"u8.ToArray(), true),
        ("the same field under both proto names", "{\"prev_kv\":true,\"prevKv\":true}"u8.ToArray(), true),
        ("unknown field", "{\"no_such_field\":1}"u8.ToArray(), true),
        ("wrong type: an array", "[1,2,3]"u8.ToArray(), true),
        ("wrong type: a string", "\"text\""u8.ToArray(), true),
        ("wrong types in fields", "{\"key\":7,\"TTL\":true,\"ID\":[],\"ttl_seconds\":\"ten\",\"create_request\":5,\"compare\":{}}"u8.ToArray(), true),
        ("JSON null", "null"u8.ToArray(), true),
        ("deeply nested", Encoding.ASCII.GetBytes(new string('[', 200) + new string(']', 200)), true),
        ("deeply nested object", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100)), true),
        ("malformed JSON", "{\"key\":"u8.ToArray(), true),
        ("empty body", [], false),
    ];

    public async Task InitializeAsync() =>
        _member = await LoopbackMember.StartAsync(options => options with { RequestTimeoutMs = RequestTimeoutMs, MaxRequestBytes = MaxRequestBytes });

    public async Task DisposeAsync() => await _member.DisposeAsync();

    [Fact]
    public async Task Every_route_of_both_apis_answers_hostile_bodies_with_a_4xx_json_error_in_its_shape()
    {
        var routes = Routes();
        Assert.True(routes.Count >= 30, $"only {routes.Count} routes found: {string.Join(", ", routes)}");
        var failures = new List<string>();
        foreach (var (method, path) in routes)
        {
            foreach (var (name, body, refused) in HostileBodies)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var answered = new CancellationTokenSource(AnswerDeadline);
                HttpResponseMessage response;
                try
                {
                    response = await _member.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answered.Token);
                }
                catch (OperationCanceledException)
                {
                    // An empty body on a stream opens a stream with nothing to say yet (etcd's gateway waits too).
                    if (refused || !IsStream(path))
                    {
                        failures.Add($"{method} {path} with {name}: no answer within {AnswerDeadline}");
                    }

                    continue;
                }

                using var disposing = response;
                var status = (int)response.StatusCode;
                var what = $"{method} {path} with {name}: {status}";
                if (status >= 500 || (refused && ReadsJsonBody(method, path) && status is < 400))
                {
                    failures.Add($"{what} {await response.Content.ReadAsStringAsync()}");
                }
                else if (status >= 400 && method != "HEAD" && ShapeProblem(path, await response.Content.ReadAsByteArrayAsync()) is { } problem)
                {
                    failures.Add($"{what}: {problem}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers broke the rule:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task The_frameworks_own_errors_have_json_bodies_in_the_shape_of_their_api()
    {
        var longKey = new string('k', ServerLimits.MaxRequestTargetBytes);
        var bigHeader = new string('h', ServerLimits.MaxRequestHeaderBytes);
        var tooLarge = new byte[_member.Server.Host.Limits.MaxHttpBodyBytes + 1];
        (string Method, string Path, byte[]? Body, (string, string)? Header, HttpStatusCode Status)[] cases =
        [
            ("GET", "/nope", null, null, HttpStatusCode.NotFound),
            ("POST", "/v3/kv/nope", null, null, HttpStatusCode.NotFound),
            ("GET", "/v1/nope", null, null, HttpStatusCode.NotFound),
            ("GET", "/v1/leases/not-a-number", null, null, HttpStatusCode.NotFound),
            ("DELETE", "/v3/kv/put", null, null, HttpStatusCode.MethodNotAllowed),
            ("PATCH", "/v1/kv/a", null, null, HttpStatusCode.MethodNotAllowed),
            ("POST", "/v1/kv/a", null, null, HttpStatusCode.MethodNotAllowed),
            ("PUT", "/v1/kv/big", tooLarge, null, HttpStatusCode.RequestEntityTooLarge),
            ("POST", "/v1/leases", tooLarge, null, HttpStatusCode.RequestEntityTooLarge),
            ("GET", "/v1/kv/" + longKey, null, null, HttpStatusCode.RequestUriTooLong),
            ("POST", "/v3/kv/range?" + longKey, null, null, HttpStatusCode.RequestUriTooLong),
            ("GET", "/v1/kv/a", null, ("X-Big", bigHeader), HttpStatusCode.RequestHeaderFieldsTooLarge),
            ("POST", "/v3/kv/range", null, ("X-Big", bigHeader), HttpStatusCode.RequestHeaderFieldsTooLarge),
        ];
        foreach (var (method, path, body, header, expected) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            request.Content = body is null ? null : new ByteArrayContent(body);
            // A refusal of a body comes before the body is read; without 100-continue the client would still be sending it.
            request.Headers.ExpectContinue = body is not null;
            if (header is var (name, value))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _member.Client.SendAsync(request);
            var text = await response.Content.ReadAsByteArrayAsync();
            Assert.True(expected == response.StatusCode, $"{method} {path[..Math.Min(path.Length, 40)]}: {response.StatusCode} {Encoding.UTF8.GetString(text)}");
            Assert.Null(ShapeProblem(path, text));
        }

        // The gateway keeps etcd's answer to a body over the limit: 400, code 3, "etcdserver: request is too large".
        using var tooLargePut = new HttpRequestMessage(HttpMethod.Post, new Uri("/v3/kv/put", UriKind.Relative)) { Content = new ByteArrayContent(tooLarge) };
        tooLargePut.Headers.ExpectContinue = true;
        using var refused = await _member.Client.SendAsync(tooLargePut);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("etcdserver: request is too large", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_message_on_an_open_watch_stream_is_refused_alone_and_the_other_watches_keep_streaming()
    {
        await using var watch = await WatchClient.OpenAsync(_member.Server.ClientUrl, $$$"""{"create_request":{"key":"{{{B64("a")}}}"}}""");
        Assert.Equal(HttpStatusCode.OK, watch.Status);
        Assert.True((await watch.NextAsync()).GetProperty("created").GetBoolean());

        byte[][] bad =
        [
            [.. "{\"create_request\":{\"key\":\""u8, 0xff, .. "\"}}"u8],
            "{\"create_request\":{\"key\":\"\\ud800\"}}"u8.ToArray(),
            "{\"create_request\":{\"key\":\"YQ==\",\"key\":\"Yg==\"}}"u8.ToArray(),
            Encoding.ASCII.GetBytes("{\"create_request\":" + new string('[', 100) + new string(']', 100) + "}"),
        ];
        foreach (var message in bad)
        {
            watch.Send(message);
            var refused = await watch.NextAsync();
            Assert.Equal("-1", refused.GetProperty("watch_id").GetString());
            Assert.True(refused.GetProperty("canceled").GetBoolean());
            Assert.False(string.IsNullOrEmpty(refused.GetProperty("cancel_reason").GetString()));
        }

        watch.Send($$$"""{"create_request":{"key":"{{{B64("b")}}}"}}""");
        var second = await watch.NextAsync();
        Assert.True(second.GetProperty("created").GetBoolean());
        Assert.Equal("1", second.GetProperty("watch_id").GetString());

        await _member.PutAsync("a", "1");
        await _member.PutAsync("b", "2");
        var first = await watch.NextAsync();
        Assert.Equal("a", Text(first.GetProperty("events")[0].GetProperty("kv"), "key"));
        var next = await watch.NextAsync();
        Assert.Equal("1", next.GetProperty("watch_id").GetString());
        Assert.Equal("b", Text(next.GetProperty("events")[0].GetProperty("kv"), "key"));
    }

    [Fact]
    public async Task A_bad_first_watch_message_gets_a_400_json_error()
    {
        await using var watch = await WatchClient.OpenAsync(_member.Server.ClientUrl, """{"create_request":{"key":"\udc00"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, watch.Status);
        Assert.Equal(3, (await watch.NextLineAsync()).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task The_internal_publish_endpoint_refuses_malformed_entries_with_400()
    {
        // Any client can reach it on the client port: an entry with the publish tag but missing or mistyped fields was a 500.
        string[] entries =
        [
            "{}", "[]", "null", """{"id":5,"name":"x","clientUrls":[]}""", """{"id":"99999999999999999999","name":"x","clientUrls":[]}""",
            """{"id":"1","name":7,"clientUrls":[]}""", """{"id":"1","name":"\ud800","clientUrls":[]}""",
        ];
        foreach (var entry in entries)
        {
            using var content = new ByteArrayContent([Distate.Server.Members.MemberCodec.PublishTag, .. Encoding.UTF8.GetBytes(entry)]);
            using var response = await _member.Client.PostAsync(new Uri(Forwarding.LeaderForwarder.PublishPath, UriKind.Relative), content);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{entry}: {response.StatusCode} {Encoding.UTF8.GetString(body)}");
            Assert.Null(ShapeProblem(Forwarding.LeaderForwarder.PublishPath, body));
        }
    }

    [Fact]
    public async Task A_bad_message_on_a_keepalive_stream_ends_the_stream_cleanly_as_etcd_does()
    {
        var grant = await _member.PostAsync("/v3/lease/grant", """{"TTL":"60"}""");
        var id = grant.Json.GetProperty("ID").GetString();
        await using var keepAlive = await WatchClient.OpenAsync(_member.Server.ClientUrl, $$"""{"ID":"{{id}}"}""", path: "/v3/lease/keepalive");
        Assert.Equal(id, (await keepAlive.NextAsync()).GetProperty("ID").GetString());
        keepAlive.Send("{\"ID\":\"\\ud800\"}"u8.ToArray());
        // Before the fix the refusal escaped the handler and the connection was reset; now the stream ends with its last chunk.
        await keepAlive.WaitForEndAsync();
    }

    [Theory]
    [InlineData("/v3/kv/put", "{\"key\":\"YQ==\",")]
    [InlineData("/v1/kv/slow", "partial value")]
    [InlineData("/v1/leases", "{\"ttl_seconds\":")]
    public async Task A_body_that_arrives_too_slowly_is_a_408_naming_the_client(string path, string start)
    {
        // The body starts and then stalls: the request timeout passes while the server waits for the client, not the cluster.
        long before = _member.Server.Host.Store.CurrentRevision.Value;
        var method = path.StartsWith("/v1/kv/", StringComparison.Ordinal) ? "PUT" : "POST";
        await using var slow = await WatchClient.OpenAsync(_member.Server.ClientUrl, start, endRequests: false, path: path, method: method);
        Assert.Equal(HttpStatusCode.RequestTimeout, slow.Status);
        var error = await slow.NextLineAsync();
        Assert.Contains("arrived too slowly", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(ShapeProblem(path, Encoding.UTF8.GetBytes(error.GetRawText())));
        Assert.Equal(before, _member.Server.Host.Store.CurrentRevision.Value);
    }

    [Fact]
    public async Task Kestrels_minimum_upload_rate_is_a_json_408_as_well()
    {
        // With a long request timeout, Kestrel's minimum body data rate (after its grace period) ends a stalled body first;
        // its BadHttpRequestException must still come out as the client's 408 in the path's shape.
        await using var patient = await LoopbackMember.StartAsync(options => options with { RequestTimeoutMs = 60_000 });
        var stalls = new[] { ("PUT", "/v1/kv/slow"), ("POST", "/v3/kv/put"), ("POST", "/v1/leases") }
            .Select(async request =>
            {
                await using var slow = await WatchClient.OpenAsync(patient.Server.ClientUrl, "{", endRequests: false, path: request.Item2, method: request.Item1);
                return (request.Item2, slow.Status, Body: Encoding.UTF8.GetBytes((await slow.NextLineAsync()).GetRawText()));
            })
            .ToList();
        foreach (var (path, status, body) in await Task.WhenAll(stalls))
        {
            Assert.True(status == HttpStatusCode.RequestTimeout, $"{path}: {status} {Encoding.UTF8.GetString(body)}");
            Assert.Null(ShapeProblem(path, body));
            Assert.Contains("arrived too slowly", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        await _member.Client.PutAsync(new Uri("/v1/kv/h", UriKind.Relative), new ByteArrayContent("hello"u8.ToArray()));
        foreach (var (path, ifNoneMatch) in new[] { ("/v1/kv/h", (string?)null), ("/v1/kv/missing", null), ("/v1/kv/?prefix=true", null), ("/v1/kv/h", "*") })
        {
            using var get = await SendAsync(HttpMethod.Get, path, ifNoneMatch);
            using var head = await SendAsync(HttpMethod.Head, path, ifNoneMatch);
            Assert.Equal(get.StatusCode, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.Equal(get.Headers.ETag, head.Headers.ETag);
            foreach (var name in new[] { "X-Distate-Revision", "X-Distate-Mod-Revision", "X-Distate-Create-Revision", "X-Distate-Version" })
            {
                Assert.Equal(get.Headers.TryGetValues(name, out var g) ? g : [], head.Headers.TryGetValues(name, out var h) ? h : []);
            }

            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            if (get.StatusCode == HttpStatusCode.OK && path == "/v1/kv/h")
            {
                Assert.NotNull(head.Headers.ETag);
                Assert.Equal(5, head.Content.Headers.ContentLength);
            }
        }
    }

    [Fact]
    public async Task Leases_take_curls_default_content_type_and_refuse_unknown_fields()
    {
        // curl -d sends application/x-www-form-urlencoded; the README's tour must work with or without -H.
        using var form = new StringContent("{\"ttl_seconds\":10}", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var granted = await _member.Client.PostAsync(new Uri("/v1/leases", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        Assert.True(JsonDocument.Parse(await granted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64() > 0);

        foreach (var body in new[] { "{\"ttl_seconds\":10,\"ttl\":5}", "{\"ttl_seconds\":10,\"ttl_seconds\":20}", "{\"ttl_seconds\":\"10\"}", "null" })
        {
            using var content = new StringContent(body, Encoding.UTF8, "text/plain");
            using var refused = await _member.Client.PostAsync(new Uri("/v1/leases", UriKind.Relative), content);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body}: {refused.StatusCode} {text}");
            Assert.Equal("bad_request", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
            Assert.DoesNotContain("Distate.Server", text, StringComparison.Ordinal);
        }
    }

    /// <summary>Every (method, concrete path) of the /v1 and /v3 APIs and the internal publish endpoint.</summary>
    private List<(string Method, string Path)> Routes()
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in _member.Server.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/v1/", StringComparison.Ordinal) && !pattern.StartsWith("/v3/", StringComparison.Ordinal) && !pattern.StartsWith("/distate/", StringComparison.Ordinal))
            {
                continue;
            }

            var path = pattern.Replace("{*key}", "sweep/key", StringComparison.Ordinal).Replace("{id:long}", "4242", StringComparison.Ordinal);
            Assert.DoesNotContain("{", path, StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add((method, path));
            }
        }

        return routes;
    }

    /// <summary>True for the routes that answer with a stream that stays open.</summary>
    private static bool IsStream(string path) =>
        path is "/v3/watch" or "/v3/lease/keepalive" || path.StartsWith("/v1/watch/", StringComparison.Ordinal);

    /// <summary>True for the routes whose body is a JSON request (every /v3 POST, the lease grant, the publish endpoint).</summary>
    private static bool ReadsJsonBody(string method, string path) =>
        method == "POST" && (path.StartsWith("/v3/", StringComparison.Ordinal) || path == "/v1/leases" || path.StartsWith("/distate/", StringComparison.Ordinal));

    /// <summary>Null when <paramref name="body"/> is an error in the shape of <paramref name="path"/>'s API; else what is wrong.</summary>
    private static string? ShapeProblem(string path, byte[] body)
    {
        if (body.Length == 0)
        {
            return "empty body";
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return "not JSON: " + Encoding.UTF8.GetString(body);
        }

        var rest = path.StartsWith("/v1", StringComparison.Ordinal);
        bool shaped = root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0
            && root.TryGetProperty("code", out var code) && code.ValueKind == (rest ? JsonValueKind.String : JsonValueKind.Number)
            && (rest || (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String));
        return shaped ? null : $"not the {(rest ? "/v1" : "etcd")} error shape: {root}";
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? ifNoneMatch)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await _member.Client.SendAsync(request);
    }
}
