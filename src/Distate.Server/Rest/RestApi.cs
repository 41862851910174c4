using Distate.Server.Forwarding;

namespace Distate.Server.Rest;

/// <summary>
/// The friendly REST API under /v1: raw values with metadata in headers, ETag-based compare-and-swap, JSON listings and
/// Server-Sent Events watches, described by the OpenAPI document at /openapi/v1.json. See docs/rest-api.md.
/// /v1/leases and /v1/status live beside these routes and are mapped elsewhere.
/// </summary>
public static partial class RestApi
{
    /// <summary>The OpenAPI document name, served at /openapi/v1.json.</summary>
    public const string DocumentName = "v1";

    private const string KvPrefix = "/v1/kv";
    private const string WatchPrefix = "/v1/watch";
    private const string ModRevisionHeader = "X-Distate-Mod-Revision";
    private const string CreateRevisionHeader = "X-Distate-Create-Revision";
    private const string VersionHeader = "X-Distate-Version";
    private const string LeaseHeader = "X-Distate-Lease";
    private const string Json = "application/json";

    /// <summary>Registers what the API needs before the application is built: its limits, the watch stream counter and
    /// the OpenAPI document.</summary>
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = new RestSettings();
        settings.Validate();
        services.AddSingleton(settings);
        services.AddSingleton<RestWatchStreams>();
        services.AddOpenApi(DocumentName, RestOpenApi.Configure);
    }

    /// <summary>Maps the /v1 key-value and watch endpoints and the OpenAPI document.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        var v1 = app.MapGroup("/v1").WithTags("kv");
        MapKv(v1);
        MapWatch(v1);
    }

    // Every handler declares the route value `string? key` so the OpenAPI document lists the path parameter, but reads
    // the key bytes with RestKey from the raw request target: routing has already decoded the path to text, which loses
    // binary bytes and cannot tell %2F from a slash.
    private static void MapKv(RouteGroupBuilder v1)
    {
        v1.MapGet("/kv/{*key}", GetKeyAsync)
            .WithName("GetKey")
            .WithSummary("Read a key's value, or list the keys under a prefix")
            .WithDescription(
                "Without prefix: the raw value bytes as application/octet-stream, with ETag (the mod revision in quotes) and " +
                "X-Distate-* headers. With prefix=true: a JSON listing. Reads are linearizable unless consistency=serializable.")
            .Produces<RestKeyValueList>(StatusCodes.Status200OK, Json, "application/octet-stream")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone, StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(RestOpenApi.Describe(RestOpenApi.ReadResponses, RestOpenApi.ReadHeaders));

        // HEAD is GET without the body (the server discards body writes for HEAD): the same status, ETag and headers,
        // so a script can fetch an ETag cheaply.
        v1.MapMethods("/kv/{*key}", [HttpMethods.Head], GetKeyAsync)
            .WithName("HeadKey")
            .WithSummary("Like GET, without the body: a key's status, ETag and X-Distate-* headers")
            .WithDescription("Answers exactly as GET would (status, ETag, X-Distate-* headers, Content-Length), with no body.")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone, StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(RestOpenApi.Describe(RestOpenApi.ReadResponses, RestOpenApi.ReadHeaders));

        v1.MapPut("/kv/{*key}", PutKeyAsync).KeyValueWrite()
            .WithName("PutKey")
            .WithSummary("Write a key's value, optionally only if its ETag matches (compare-and-swap) or only if it is new")
            .WithDescription(
                "The body is the raw value. If-Match: \"N\" writes only if the key's mod revision is N; If-Match: * only if the " +
                "key exists; If-None-Match: * only if it does not. The check and the write are one atomic transaction.")
            .Produces<RestPutResult>(StatusCodes.Status200OK, Json)
            .Produces<RestPutResult>(StatusCodes.Status201Created, Json)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status503ServiceUnavailable, StatusCodes.Status507InsufficientStorage)
            .AddOpenApiOperationTransformer(RestOpenApi.Describe(RestOpenApi.PutResponses, RestOpenApi.WriteHeaders))
            .AddOpenApiOperationTransformer(RestOpenApi.RawValueBody);

        v1.MapDelete("/kv/{*key}", DeleteKeyAsync).KeyValueWrite()
            .WithName("DeleteKey")
            .WithSummary("Delete a key, or every key under a prefix")
            .WithDescription(
                "Deleting a key that does not exist is not an error: the answer says deleted: 0. If-Match: \"N\" deletes only if " +
                "the key's mod revision is N (412 otherwise).")
            .Produces<RestDeleteResult>(StatusCodes.Status200OK, Json)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(RestOpenApi.Describe(RestOpenApi.DeleteResponses, RestOpenApi.RevisionHeaders));
    }

    private static void MapWatch(RouteGroupBuilder v1)
    {
        v1.MapGet("/watch/{*key}", WatchKeyAsync)
            .WithName("WatchKey")
            .WithTags("watch")
            .WithSummary("Stream changes to a key or prefix as Server-Sent Events")
            .WithDescription(
                "Each change is an SSE event named put or delete whose data is a JSON object (see RestWatchEvent); the last " +
                "event of each revision has id: <revision>. Reconnect with Last-Event-ID to resume exactly after it. If the " +
                "history needed was compacted, the stream sends one event named error (a RestError with compact_revision) and " +
                "ends. Comment lines (: keep-alive) arrive every heartbeat_seconds.")
            .Produces<RestWatchEvent>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer(RestOpenApi.Describe(RestOpenApi.WatchResponses, RestOpenApi.RevisionHeaders));
    }

    /// <summary>Declares the JSON error body for each status.</summary>
    internal static RouteHandlerBuilder ProducesError(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (int status in statuses)
        {
            builder.Produces<RestError>(status, Json);
        }

        return builder;
    }
}
