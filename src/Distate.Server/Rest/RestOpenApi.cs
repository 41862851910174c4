using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Distate.Server.Rest;

/// <summary>
/// Makes the OpenAPI document say what the handlers do. Query values are bound as strings so that a malformed one gets
/// this API's JSON 400 (the framework's own binding failure is an empty 400); the transformer here restores their real
/// types, ranges and defaults, describes every parameter and response, and lists the response headers.
/// </summary>
internal static class RestOpenApi
{
    /// <summary>Response descriptions of GET /v1/kv.</summary>
    public static readonly (int Status, string Description)[] ReadResponses =
    [
        (200, "The value as raw bytes (application/octet-stream), or with prefix=true a JSON listing."),
        (304, "If-None-Match named the key's current ETag: the value is unchanged."),
        (400, "A malformed parameter or key, or a revision newer than the store (code future_revision)."),
        (404, "The key does not exist (at the requested revision)."),
        (410, "The requested revision has been compacted; compact_revision is the oldest readable one."),
        (503, "No leader or no quorum answered in time; retry (Retry-After)."),
    ];

    /// <summary>Response descriptions of PUT /v1/kv.</summary>
    public static readonly (int Status, string Description)[] PutResponses =
    [
        (200, "The key existed and now has the new value."),
        (201, "The key was created."),
        (400, "A malformed parameter, header or key, or an unknown lease (code lease_not_found)."),
        (412, "If-Match or If-None-Match did not hold; nothing was written. current_mod_revision is the key's mod revision now."),
        (413, "The value is larger than the store accepts."),
        (503, "No leader or no quorum answered in time; retry (Retry-After). A timed-out write may or may not have been applied."),
        (507, "The store's space quota is used up."),
    ];

    /// <summary>Response descriptions of DELETE /v1/kv.</summary>
    public static readonly (int Status, string Description)[] DeleteResponses =
    [
        (200, "Deleted (deleted may be 0: deleting a missing key is not an error)."),
        (400, "A malformed parameter, header or key."),
        (412, "If-Match did not hold; nothing was deleted. current_mod_revision is the key's mod revision now."),
        (503, "No leader or no quorum answered in time; retry (Retry-After)."),
    ];

    /// <summary>Response descriptions of GET /v1/watch.</summary>
    public static readonly (int Status, string Description)[] WatchResponses =
    [
        (200, "A text/event-stream of put and delete events (data: RestWatchEvent JSON), ending with an error event (data: RestError) if compaction overtakes it."),
        (400, "A malformed parameter, key or Last-Event-ID."),
        (429, "This member serves as many watch streams as it allows."),
    ];

    /// <summary>Headers of a single-key read.</summary>
    public static readonly (string Name, string Description)[] ReadHeaders =
    [
        ("ETag", "The key's mod revision in quotes, for If-Match and If-None-Match."),
        (RestCall.RevisionHeader, "The store's current revision."),
        ("X-Distate-Mod-Revision", "The key's mod revision."),
        ("X-Distate-Create-Revision", "The revision that created the key."),
        ("X-Distate-Version", "Number of puts since the key was created."),
        ("X-Distate-Lease", "The key's lease, present only when it has one."),
    ];

    /// <summary>Headers of a write.</summary>
    public static readonly (string Name, string Description)[] WriteHeaders =
    [
        ("ETag", "The key's new mod revision in quotes."),
        (RestCall.RevisionHeader, "The store revision after the write."),
    ];

    /// <summary>Headers of a delete or a watch.</summary>
    public static readonly (string Name, string Description)[] RevisionHeaders =
    [
        (RestCall.RevisionHeader, "The store's revision when the answer was made."),
    ];

    /// <summary>Sets the document's title and description.</summary>
    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Distate REST API",
                Version = "v1",
                Description = "A linearizable key-value configuration store. Keys are the path after /v1/kv/ (percent-encoded bytes); " +
                    "values are raw bytes; ETags are mod revisions. Errors are JSON: {\"error\", \"code\", ...}. See docs/rest-api.md.",
            };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer(DescribeBodySchema);
    }

    /// <summary>Makes the schemas of this API's bodies exact: numbers are written as JSON numbers only (the framework's
    /// default schema also allows numeric strings, which it would accept on input but this API never writes), and every
    /// field that is never null is required.</summary>
    private static Task DescribeBodySchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonPropertyInfo?.DeclaringType ?? context.JsonTypeInfo.Type;
        if (type.Namespace != typeof(RestOpenApi).Namespace)
        {
            return Task.CompletedTask;
        }

        if (schema.Type is { } kind && kind.HasFlag(JsonSchemaType.Integer))
        {
            schema.Type = kind & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (context.JsonPropertyInfo is null && schema.Properties is not null)
        {
            schema.Required ??= new HashSet<string>();
            foreach (var property in context.JsonTypeInfo.Properties)
            {
                if (!property.IsGetNullable)
                {
                    schema.Required.Add(property.Name);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>An operation transformer that types and describes the parameters and describes responses and headers.</summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Describe(
        (int Status, string Description)[] responses, (string Name, string Description)[] successHeaders) =>
        (operation, context, _) =>
        {
            var settings = context.ApplicationServices.GetRequiredService<RestSettings>();
            foreach (var parameter in operation.Parameters ?? [])
            {
                if (parameter is OpenApiParameter concrete)
                {
                    DescribeParameter(concrete, settings);
                }
            }

            DescribeResponses(operation, responses, successHeaders);
            return Task.CompletedTask;
        };

    /// <summary>Documents the raw request body of a PUT. It is not declared with Accepts, which would refuse (415) every
    /// other content type, while any content type is stored as the bytes sent.</summary>
    public static Task RawValueBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken) =>
        SetBody(operation, required: false,
            "The value: raw bytes, stored exactly as sent whatever the Content-Type. An empty body stores an empty value.",
            "application/octet-stream", new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" });

    /// <summary>Describes POST /v1/leases' JSON body. (Not with Accepts metadata: routing would then refuse, with 415, a
    /// body sent without Content-Type: application/json, such as curl's default form type.)</summary>
    public static Task LeaseGrantBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken) =>
        SetBody(operation, required: true, "JSON whatever the Content-Type. Unknown or repeated fields are refused with 400.",
            "application/json", new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalPropertiesAllowed = false,
                Required = new HashSet<string> { "ttl_seconds" },
                Properties = new Dictionary<string, IOpenApiSchema> { ["ttl_seconds"] = Number(1, null, null), ["id"] = Number(0, null, 0) },
            });

    private static Task SetBody(OpenApiOperation operation, bool required, string description, string mediaType, OpenApiSchema schema)
    {
        ArgumentNullException.ThrowIfNull(operation);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = required,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } },
        };
        return Task.CompletedTask;
    }

    private static void DescribeParameter(OpenApiParameter parameter, RestSettings settings)
    {
        var (schema, description) = parameter.Name switch
        {
            "key" => (Text(), "The key: the rest of the path, percent-decoded byte for byte (%2F is a slash inside the key, %FF a " +
                "raw byte; a leading slash is kept, so /v1/kv//a is the key \"/a\"). May be empty only with prefix=true on GET and watch, meaning every key."),
            "prefix" => (Flag(), "true: act on every key that starts with the key. An empty value (?prefix) also means true."),
            "revision" => (Number(1, null, null), "Read as of this store revision. 410 when compacted, 400 (future_revision) when newer than the store."),
            "consistency" => (Choice("linearizable", "linearizable", "serializable"),
                "linearizable (default) confirms leadership with a quorum before reading; serializable reads this member's copy, possibly stale."),
            "limit" => (Number(1, settings.MaxListKeys, settings.MaxListKeys), "With prefix=true: most keys to return; more: true says some were left out."),
            "lease" => (Number(1, null, null), "Attach the key to this lease (granted with /v1/leases); it is deleted when the lease expires."),
            "from_revision" => (Number(1, null, null), "Start with the events of this revision (history included). Default: changes after now."),
            "heartbeat_seconds" => (Number(1, settings.MaxHeartbeatSeconds, settings.DefaultHeartbeatSeconds), "Seconds between ': keep-alive' comment lines."),
            "If-Match" => (Text(), "\"N\" (a mod revision, as the ETag gives it) to act only if the key's mod revision is N, or * to act only if the key exists."),
            "If-None-Match" => (Text(), "GET: an ETag; 304 Not Modified when the key still has it. PUT: * to write only if the key does not exist."),
            "Last-Event-ID" => (Text(), "The id of the last event received (a revision); the stream resumes with the next revision. Wins over from_revision."),
            _ => (null, null),
        };
        if (schema is not null)
        {
            parameter.Schema = schema;
            parameter.Description = description;
        }
    }

    private static void DescribeResponses(OpenApiOperation operation, (int Status, string Description)[] responses, (string Name, string Description)[] successHeaders)
    {
        if (operation.Responses is null)
        {
            return;
        }

        foreach (var (status, description) in responses)
        {
            string code = status.ToString(CultureInfo.InvariantCulture);
            if (operation.Responses.TryGetValue(code, out var response) && response is OpenApiResponse concrete)
            {
                concrete.Description = description;
                if (status is >= 200 and < 300)
                {
                    concrete.Headers = Headers(successHeaders);
                }

                if (concrete.Content is not null && concrete.Content.TryGetValue("application/octet-stream", out var raw))
                {
                    raw.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                }
            }
        }
    }

    private static Dictionary<string, IOpenApiHeader> Headers((string Name, string Description)[] headers)
    {
        var result = new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, description) in headers)
        {
            bool isNumber = name.StartsWith("X-Distate-", StringComparison.Ordinal);
            result[name] = new OpenApiHeader { Description = description, Schema = isNumber ? new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" } : Text() };
        }

        return result;
    }

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema Flag() => new() { Type = JsonSchemaType.Boolean, Default = JsonValue.Create(false) };

    private static OpenApiSchema Number(long minimum, long? maximum, long? fallback) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int64",
        Minimum = minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
        Default = fallback is null ? null : JsonValue.Create(fallback.Value),
    };

    private static OpenApiSchema Choice(string fallback, params string[] values) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. values.Select(value => (JsonNode)JsonValue.Create(value))],
        Default = JsonValue.Create(fallback),
    };
}
