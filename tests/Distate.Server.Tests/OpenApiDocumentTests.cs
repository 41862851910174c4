using System.Net;
using System.Text.Json;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the OpenAPI document served at /openapi/v1.json describes the REST API as built: every /v1 path and operation
/// is present with a summary; query parameters carry their real types (integer, boolean, enum) although they are bound as
/// strings; header parameters (If-Match, If-None-Match, Last-Event-ID) are listed; error responses reference the JSON
/// error schema; and the body schemas use the snake_case names the handlers write.
/// </summary>
public sealed class OpenApiDocumentTests(RestMember member) : IClassFixture<RestMember>
{
    private static readonly (string Path, string Method, string[] Parameters, string[] Responses)[] Expected =
    [
        ("/v1/kv/{key}", "get", ["key", "prefix", "revision", "consistency", "limit", "If-None-Match"], ["200", "304", "400", "404", "410", "503"]),
        ("/v1/kv/{key}", "head", ["key", "prefix", "revision", "consistency", "limit", "If-None-Match"], ["200", "304", "400", "404", "410", "503"]),
        ("/v1/kv/{key}", "put", ["key", "lease", "If-Match", "If-None-Match"], ["200", "201", "400", "412", "413", "503", "507"]),
        ("/v1/kv/{key}", "delete", ["key", "prefix", "If-Match"], ["200", "400", "412", "503"]),
        ("/v1/watch/{key}", "get", ["key", "prefix", "from_revision", "heartbeat_seconds", "Last-Event-ID"], ["200", "400", "429"]),
    ];

    [Fact]
    public async Task The_document_lists_every_v1_path_and_operation_with_parameters_and_responses()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        foreach (var (path, method, parameters, responses) in Expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is missing");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
            var names = operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToArray();
            Assert.Equal(parameters.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
            foreach (var parameter in operation.GetProperty("parameters").EnumerateArray())
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()), $"{method} {path} {parameter.GetProperty("name")}");
            }

            var codes = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToArray();
            Assert.Equal(responses.Order(StringComparer.Ordinal), codes.Order(StringComparer.Ordinal));
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                var schema = response.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema");
                Assert.Equal("#/components/schemas/RestError", schema.GetProperty("$ref").GetString());
            }
        }

        var v1Operations = paths.EnumerateObject().Where(p => p.Name.StartsWith("/v1/kv", StringComparison.Ordinal) || p.Name.StartsWith("/v1/watch", StringComparison.Ordinal))
            .Sum(p => p.Value.EnumerateObject().Count());
        Assert.Equal(Expected.Length, v1Operations);
    }

    [Fact]
    public async Task Parameters_and_bodies_carry_their_real_types_and_names()
    {
        var document = await DocumentAsync();
        var get = document.GetProperty("paths").GetProperty("/v1/kv/{key}").GetProperty("get");
        var revision = Parameter(get, "revision").GetProperty("schema");
        Assert.Equal("integer", revision.GetProperty("type").GetString());
        Assert.Equal(1, revision.GetProperty("minimum").GetInt64());
        Assert.Equal("boolean", Parameter(get, "prefix").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(["linearizable", "serializable"],
            Parameter(get, "consistency").GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()!).ToArray());
        Assert.Equal("header", Parameter(get, "If-None-Match").GetProperty("in").GetString());
        var ok = get.GetProperty("responses").GetProperty("200");
        Assert.Equal("binary", ok.GetProperty("content").GetProperty("application/octet-stream").GetProperty("schema").GetProperty("format").GetString());
        Assert.True(ok.GetProperty("headers").TryGetProperty("ETag", out _));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var kv = schemas.GetProperty("RestKeyValue").GetProperty("properties");
        Assert.Equal("integer", kv.GetProperty("mod_revision").GetProperty("type").GetString());
        Assert.True(kv.TryGetProperty("value_encoding", out _));
        Assert.True(schemas.GetProperty("RestError").GetProperty("properties").TryGetProperty("compact_revision", out _));
        Assert.True(schemas.GetProperty("RestWatchEvent").GetProperty("properties").TryGetProperty("type", out _));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await member.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static JsonElement Parameter(JsonElement operation, string name) =>
        operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
}
