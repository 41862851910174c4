using Distate.Node.Requests;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Distate.Server.Configuration;
using Distate.Server.Http;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Rest;

/// <summary>One REST request: the node, the limits, a deadline, and the one place where failures become JSON errors.</summary>
internal sealed class RestCall
{
    /// <summary>Header carrying the store revision an answer reflects.</summary>
    public const string RevisionHeader = "X-Distate-Revision";

    private RestCall(HttpContext context, RaftHost host, RestSettings settings, CancellationToken deadline)
    {
        Context = context;
        Host = host;
        Settings = settings;
        Deadline = deadline;
    }

    /// <summary>The HTTP exchange.</summary>
    public HttpContext Context { get; }

    /// <summary>The node.</summary>
    public RaftHost Host { get; }

    /// <summary>The REST limits.</summary>
    public RestSettings Settings { get; }

    /// <summary>Cancelled when the request timeout passes or the client goes away.</summary>
    public CancellationToken Deadline { get; }

    /// <summary>Runs a handler with a request deadline, turning every expected failure into a JSON error response.</summary>
    public static async Task RunAsync(HttpContext context, Func<RestCall, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        var services = context.RequestServices;
        var options = services.GetRequiredService<ServerOptions>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.RequestTimeoutMs);
        var call = new RestCall(context, services.GetRequiredService<RaftHost>(), services.GetRequiredService<RestSettings>(), timeout.Token);
        RestRequestException? failure;
        try
        {
            await handler(call).ConfigureAwait(false);
            return;
        }
        catch (RestRequestException ex)
        {
            failure = ex;
        }
        catch (StoreRequestException ex)
        {
            failure = RestErrors.FromStore(ex.Error);
        }
        catch (BadHttpRequestException ex)
        {
            // The body was refused (over the limit, cut short, or too slow): the client's mistake, never a 500 or a 503.
            failure = new RestRequestException(ex.StatusCode, new RestError { Error = RequestBody.Describe(ex), Code = ApiErrorWriter.RestCodeFor(ex.StatusCode) }, ex);
        }
        catch (RequestFailedException ex)
        {
            failure = Unavailable("unavailable", ex.Message, ex.LeaderHint.Value, ex);
        }
        catch (OperationCanceledException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            failure = Unavailable("timeout",
                "request timed out: no quorum or no leader answered in time; a write may or may not have been applied", 0, ex);
        }

        await WriteErrorAsync(context, failure).ConfigureAwait(false);
    }

    /// <summary>Replicates a command and returns its result once applied here; a store refusal becomes a JSON error.</summary>
    public async Task<StoreResult> ProposeAsync(StoreCommand command)
    {
        StoreResult result;
        try
        {
            result = await Host.ProposeAsync(command, Deadline).ConfigureAwait(false);
        }
        catch (WritesRefusedException ex)
        {
            throw new RestRequestException(StatusCodes.Status507InsufficientStorage, new RestError { Error = ex.Message, Code = "disk_full" }, ex);
        }

        return result switch
        {
            StoreError { Code: StoreErrorCode.RequestTooLarge } => throw RestErrors.TooLarge(
                $"the request is larger than the {Host.Limits.MaxRequestBytes}-byte limit (--max-request-bytes) once encoded with its key; " +
                "etcdserver: request is too large"),
            StoreError error => throw RestErrors.FromStore(error),
            _ => result,
        };
    }

    /// <summary>Waits for a linearizable read point (ReadIndex).</summary>
    public Task ReadBarrierAsync() => Host.ReadBarrierAsync(Deadline);

    /// <summary>Reads a range from the local store; a store refusal (compacted, future revision) becomes a JSON error.</summary>
    public RangeResult Range(RangeCommand command)
    {
        var result = Host.Store.Range(command);
        return result is StoreError error ? throw RestErrors.FromStore(error) : (RangeResult)result;
    }

    /// <summary>Sets the header that says which store revision the answer reflects.</summary>
    public void SetRevisionHeader(Revision revision) =>
        Context.Response.Headers[RevisionHeader] = revision.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a JSON body with a status code.</summary>
    public Task WriteJsonAsync<T>(int status, T body, JsonTypeInfo<T> contract)
    {
        Context.Response.StatusCode = status;
        Context.Response.ContentType = "application/json";
        return System.Text.Json.JsonSerializer.SerializeAsync(Context.Response.Body, body, contract, Context.RequestAborted);
    }

    /// <summary>The ETag of a mod revision: the number in quotes.</summary>
    public static string EntityTag(Revision modRevision) => "\"" + modRevision.Value.ToString(CultureInfo.InvariantCulture) + "\"";

    private static RestRequestException Unavailable(string code, string message, ulong leader, Exception cause) =>
        new(StatusCodes.Status503ServiceUnavailable, new RestError
        {
            Error = message, Code = code, Leader = leader == 0 ? null : leader.ToString("x", CultureInfo.InvariantCulture),
        }, cause);

    private static async Task WriteErrorAsync(HttpContext context, RestRequestException failure)
    {
        if (context.Response.HasStarted)
        {
            // Part of a success body is already on the wire; all that is honest now is to cut the response short.
            context.Abort();
            return;
        }

        await ApiErrorWriter.WriteRestAsync(context, failure.Status, failure.Body).ConfigureAwait(false);
    }
}
