using System.Net;
using System.Text;
using System.Text.Json;
using static Distate.Server.Tests.LoopbackMember;

namespace Distate.Server.Tests;

/// <summary>
/// Proves /v3/kv/txn behaves and answers as etcd 3.4's gateway does, on a real member over loopback: compares pick the
/// success or failure branch for every target and operator, all writes of a txn share one revision, nested txns run,
/// nested headers carry etcd's revisions (the old one before the first write, the new one after, empty for a nested txn),
/// read-only txns change nothing, and bad or refused txns get etcd's error with a 400 and leave the store untouched.
/// </summary>
public sealed class EtcdTxnTests : IAsyncLifetime
{
    private LoopbackMember _member = null!;

    public async Task InitializeAsync() => _member = await LoopbackMember.StartAsync();

    public async Task DisposeAsync() => await _member.DisposeAsync();

    [Fact]
    public async Task Holding_compare_runs_success_and_every_write_shares_one_revision()
    {
        long before = await _member.PutAsync("a", "1");
        var txn = await TxnAsync($$$"""
            {"compare":[{"target":"VALUE","key":"{{{B64("a")}}}","value":"{{{B64("1")}}}"}],
             "success":[{"request_put":{"key":"{{{B64("b")}}}","value":"{{{B64("2")}}}"}},
                        {"request_put":{"key":"{{{B64("a")}}}","value":"{{{B64("3")}}}","prev_kv":true}},
                        {"request_range":{"key":"{{{B64("b")}}}"}}],
             "failure":[{"request_put":{"key":"{{{B64("never")}}}","value":"eA=="}}]}
            """);

        Assert.True(txn.GetProperty("succeeded").GetBoolean());
        long revision = Revision(txn);
        Assert.Equal(before + 1, revision);
        var responses = txn.GetProperty("responses");
        Assert.Equal(3, responses.GetArrayLength());
        Assert.Equal(revision, Revision(responses[0].GetProperty("response_put")));
        Assert.Equal("1", Text(responses[1].GetProperty("response_put").GetProperty("prev_kv"), "value"));
        var range = responses[2].GetProperty("response_range");
        Assert.Equal("2", Text(range.GetProperty("kvs")[0], "value"));
        Assert.Equal(["revision"], range.GetProperty("header").EnumerateObject().Select(p => p.Name));

        foreach (var key in new[] { "a", "b" })
        {
            var read = await _member.PostAsync("/v3/kv/range", $$$"""{"key":"{{{B64(key)}}}"}""");
            Assert.Equal(revision, Int64(read.Json.GetProperty("kvs")[0], "mod_revision"));
        }

        Assert.Equal(0, Int64(await RangeAsync("never"), "count"));
    }

    [Fact]
    public async Task Failing_compare_runs_failure_and_omits_succeeded()
    {
        await _member.PutAsync("f", "1");
        var txn = await TxnAsync($$$"""
            {"compare":[{"target":"VERSION","result":"GREATER","key":"{{{B64("f")}}}","version":"1"}],
             "success":[{"request_put":{"key":"{{{B64("f")}}}","value":"eA=="}}],
             "failure":[{"request_range":{"key":"{{{B64("f")}}}"}}]}
            """);

        Assert.False(txn.TryGetProperty("succeeded", out _));
        Assert.Equal("1", Text(txn.GetProperty("responses")[0].GetProperty("response_range").GetProperty("kvs")[0], "value"));
    }

    [Theory]
    [InlineData("VERSION", "EQUAL", "version", "1", true)]
    [InlineData("VERSION", "NOT_EQUAL", "version", "1", false)]
    [InlineData("CREATE", "LESS", "create_revision", "1000", true)]
    [InlineData("MOD", "GREATER", "mod_revision", "1", true)]
    [InlineData("LEASE", "EQUAL", "lease", "0", true)]
    [InlineData("VALUE", "LESS", "value", "eg==", true)]
    [InlineData("VALUE", "GREATER", "value", "eg==", false)]
    public async Task Every_target_and_operator_compares_as_etcd(string target, string result, string field, string operand, bool holds)
    {
        await _member.PutAsync("t", "v");
        var txn = await TxnAsync($$$"""{"compare":[{"target":"{{{target}}}","result":"{{{result}}}","key":"{{{B64("t")}}}","{{{field}}}":"{{{operand}}}"}]}""");
        Assert.Equal(holds, txn.TryGetProperty("succeeded", out var succeeded) && succeeded.GetBoolean());
    }

    [Fact]
    public async Task An_absent_key_compares_as_zero_but_fails_value_compares()
    {
        var version = await TxnAsync($$$"""{"compare":[{"key":"{{{B64("absent")}}}","version":"0"}]}""");
        Assert.True(version.GetProperty("succeeded").GetBoolean());
        var value = await TxnAsync($$$"""{"compare":[{"key":"{{{B64("absent")}}}","target":"VALUE","value":""}]}""");
        Assert.False(value.TryGetProperty("succeeded", out _));
    }

    [Fact]
    public async Task Nested_txn_runs_and_headers_show_the_revision_at_each_op_as_etcd_does()
    {
        long before = await _member.PutAsync("n", "1");
        var txn = await TxnAsync($$$"""
            {"success":[{"request_range":{"key":"{{{B64("n")}}}"}},
                        {"request_delete_range":{"key":"{{{B64("missing")}}}"}},
                        {"request_txn":{"compare":[{"key":"{{{B64("n")}}}","target":"VALUE","value":"{{{B64("1")}}}"}],
                                        "success":[{"request_put":{"key":"{{{B64("m")}}}","value":"{{{B64("2")}}}"}}]}},
                        {"request_range":{"key":"{{{B64("m")}}}","count_only":true}}]}
            """);

        long revision = Revision(txn);
        Assert.Equal(before + 1, revision);
        var responses = txn.GetProperty("responses");
        Assert.Equal(before, Revision(responses[0].GetProperty("response_range")));
        Assert.Equal(before, Revision(responses[1].GetProperty("response_delete_range")));
        Assert.False(responses[1].GetProperty("response_delete_range").TryGetProperty("deleted", out _));
        var nested = responses[2].GetProperty("response_txn");
        Assert.Empty(nested.GetProperty("header").EnumerateObject());
        Assert.True(nested.GetProperty("succeeded").GetBoolean());
        Assert.Equal(revision, Revision(nested.GetProperty("responses")[0].GetProperty("response_put")));
        Assert.Equal(1, Int64(responses[3].GetProperty("response_range"), "count"));
        Assert.Equal(revision, Revision(responses[3].GetProperty("response_range")));
    }

    [Fact]
    public async Task Read_only_and_empty_txns_leave_the_revision_alone()
    {
        long before = await _member.PutAsync("r", "1");
        var readOnly = await TxnAsync($$$"""{"success":[{"request_range":{"key":"{{{B64("r")}}}","serializable":true}}]}""");
        Assert.Equal(before, Revision(readOnly));
        Assert.Equal(before, Revision(readOnly.GetProperty("responses")[0].GetProperty("response_range")));
        var empty = await TxnAsync("{}");
        Assert.True(empty.GetProperty("succeeded").GetBoolean());
        Assert.False(empty.TryGetProperty("responses", out _));
        Assert.Equal(before, await _member.CurrentRevisionAsync());
    }

    [Theory]
    [InlineData("""{"success":[{"request_put":{"key":"eA==","value":"MQ=="}},{"request_put":{"key":"eA==","value":"Mg=="}}]}""",
        "etcdserver: duplicate key given in txn request")]
    [InlineData("""{"success":[{"request_put":{"key":"eA==","value":"MQ=="}},{"request_txn":{"success":[{"request_delete_range":{"key":"eA=="}}]}}]}""",
        "etcdserver: duplicate key given in txn request")]
    [InlineData("""{"compare":[{"target":"VERSION","version":"0"}],"success":[{"request_put":{"key":"eA==","value":"MQ=="}}]}""",
        "etcdserver: key is not provided")]
    [InlineData("""{"success":[{"request_put":{"value":"MQ=="}}]}""", "etcdserver: key is not provided")]
    [InlineData("""{"compare":[{"key":"eA==","target":"FOO"}],"success":[{"request_put":{"key":"eA==","value":"MQ=="}}]}""", "field \"target\"")]
    [InlineData("""{"compare":[{"key":"eA==","version":"1","mod_revision":"2"}]}""", "at most one of")]
    [InlineData("""{"success":[{"request_put":{"key":"eA=="},"request_range":{"key":"eA=="}}]}""", "exactly one of")]
    [InlineData("""{"success":[{}]}""", "exactly one of")]
    [InlineData("""{"success":[{"request_put":{"key":"!!"}}]}""", "not valid base64")]
    [InlineData("""{"success":[{"request_put":{"key":"eA==","bogus":1}}]}""", "unknown field \"bogus\"")]
    [InlineData("""{"success":{"request_put":{"key":"eA=="}}}""", "must be an array")]
    [InlineData("""{"success":[{"request_put":{"key":"eA==",""", "malformed JSON")]
    public async Task Bad_or_refused_txns_get_400_with_etcds_error_and_change_nothing(string body, string expected)
    {
        long before = await _member.PutAsync("before", "1");
        var response = await _member.PostAsync("/v3/kv/txn", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(response.Json.GetProperty("error").GetString(), response.Json.GetProperty("message").GetString());
        Assert.Equal(3, response.Json.GetProperty("code").GetInt32());
        Assert.Equal(before, await _member.CurrentRevisionAsync());
    }

    [Fact]
    public async Task Too_many_ops_and_a_compacted_range_get_etcds_errors()
    {
        var ops = new StringBuilder();
        for (int i = 0; i < 129; i++)
        {
            ops.Append(i == 0 ? "" : ",").Append($$$"""{"request_put":{"key":"{{{B64("k" + i)}}}","value":"eA=="}}""");
        }

        var tooMany = await _member.PostAsync("/v3/kv/txn", $$$"""{"success":[{{{ops}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal("etcdserver: too many operations in txn request", tooMany.Json.GetProperty("error").GetString());

        long first = await _member.PutAsync("z", "1");
        long second = await _member.PutAsync("z", "2");
        await _member.PostAsync("/v3/kv/compaction", $$$"""{"revision":"{{{second}}}"}""");
        var compacted = await _member.PostAsync("/v3/kv/txn", $$$"""{"success":[{"request_range":{"key":"{{{B64("z")}}}","revision":"{{{first}}}"}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, compacted.Status);
        Assert.Equal(11, compacted.Json.GetProperty("code").GetInt32());
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", compacted.Json.GetProperty("error").GetString());
    }

    private async Task<JsonElement> TxnAsync(string body)
    {
        var response = await _member.PostAsync("/v3/kv/txn", body);
        Assert.True(response.Status == HttpStatusCode.OK, response.Json.ToString());
        return response.Json;
    }

    private async Task<JsonElement> RangeAsync(string key) =>
        (await _member.PostAsync("/v3/kv/range", $$$"""{"key":"{{{B64(key)}}}"}""")).Json;
}
