using System.Globalization;
using System.Text.Json;
using Distate.Raft;
using Distate.Server.Forwarding;
using Distate.Server.Http;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Rest;

/// <summary>/v1/status and /v1/leases: the cluster's state and leases in plain JSON, with the REST API's deadline and
/// errors (<see cref="RestCall"/>).</summary>
public static class RestClusterEndpoints
{
    private static readonly string[] LeaseGrantFields = ["ttl_seconds", "id"];

    /// <summary>Maps the endpoints.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/v1/status", Handler(call => call.WriteJsonAsync(StatusCodes.Status200OK, Status(call.Host), RestJson.Context.RestStatus)))
            .WithSummary("This member's view of the cluster: leader, term, indexes, members and, on the leader, each follower's lag.")
            .Produces<RestStatus>();
        app.MapGet("/v1/leases", Handler(ListLeasesAsync))
            .WithSummary("Every live lease.").Produces<RestLease[]>().ProducesError(StatusCodes.Status503ServiceUnavailable);
        app.MapPost("/v1/leases", Handler(GrantAsync)).LeaderOnly()
            .WithSummary("Grants a lease; attach keys with PUT /v1/kv/{key}?lease={id}.")
            .AddOpenApiOperationTransformer(RestOpenApi.LeaseGrantBody)
            .Produces<RestLease>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/v1/leases/{id:long}", (HttpContext context, long id) => RestCall.RunAsync(context, call => TimeToLiveAsync(call, id))).LeaderOnly()
            .WithSummary("A lease's remaining TTL and keys (answered by the leader's lease clock).")
            .Produces<RestLease>().ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        app.MapPost("/v1/leases/{id:long}/keepalive", (HttpContext context, long id) => RestCall.RunAsync(context, call => KeepAliveAsync(call, id))).LeaderOnly()
            .WithSummary("Renews a lease to its full TTL.")
            .Produces<RestLease>().ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        app.MapDelete("/v1/leases/{id:long}", (HttpContext context, long id) => RestCall.RunAsync(context, call => RevokeAsync(call, id))).LeaderOnly()
            .WithSummary("Revokes a lease, deleting its keys in one revision.")
            .Produces(StatusCodes.Status204NoContent).ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>A handler run by <see cref="RestCall.RunAsync"/>, typed as a Delegate so minimal APIs describe it in OpenAPI.</summary>
    private static Delegate Handler(Func<RestCall, Task> handler) => (HttpContext context) => RestCall.RunAsync(context, handler);

    /// <summary>Builds the status document.</summary>
    public static RestStatus Status(RaftHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var status = host.Status;
        var leading = status.Role == StateRole.Leader;
        var members = host.Members.All.Select(member =>
        {
            var known = status.Progress.TryGetValue(member.Id, out var progress);
            return new RestMemberStatus
            {
                Id = Hex(member.Id), Name = member.Name, IsLearner = member.IsLearner,
                PeerUrls = member.PeerUrls.Select(url => url.ToString().TrimEnd('/')).ToArray(),
                ClientUrls = member.ClientUrls.Select(url => url.ToString().TrimEnd('/')).ToArray(),
                MatchIndex = leading && known ? progress.Match.Value : null,
                Lag = leading && known ? status.LastIndex.Value - Math.Min(progress.Match.Value, status.LastIndex.Value) : null,
            };
        }).ToArray();
        return new RestStatus
        {
            MemberId = Hex(host.Id), Name = host.Options.Name, Leader = status.Leader.IsSome ? Hex(status.Leader) : null,
            Role = RoleName(status.Role), Term = status.Term.Value, CommitIndex = status.Commit.Value,
            AppliedIndex = host.AppliedIndex.Value, LastIndex = status.LastIndex.Value, Revision = host.Store.CurrentRevision.Value,
            CompactRevision = host.Store.CompactRevision.Value, Members = members,
        };
    }

    private static async Task ListLeasesAsync(RestCall call)
    {
        await call.ReadBarrierAsync().ConfigureAwait(false);
        var leases = call.Host.Store.LeaseList().Select(lease => View(call.Host, lease, withKeys: false)).ToArray();
        await call.WriteJsonAsync(StatusCodes.Status200OK, leases, RestJson.Context.RestLeaseArray).ConfigureAwait(false);
    }

    private static async Task GrantAsync(RestCall call)
    {
        var request = await ReadLeaseGrantAsync(call).ConfigureAwait(false);
        var ttl = Math.Max(request.TtlSeconds, call.Host.Leases.MinTtlSeconds);
        var grant = (LeaseGrantResult)await call.ProposeAsync(new LeaseGrantCommand(new LeaseId(request.Id), ttl)).ConfigureAwait(false);
        var lease = new RestLease { Id = grant.Id.Value, GrantedTtlSeconds = grant.TtlSeconds, TtlSeconds = grant.TtlSeconds };
        await call.WriteJsonAsync(StatusCodes.Status201Created, lease, RestJson.Context.RestLease).ConfigureAwait(false);
    }

    /// <summary>Reads the grant body as strictly as every other request: JSON whatever the Content-Type (curl's default
    /// is a form type), valid Unicode, no unknown or repeated field, a positive ttl_seconds.</summary>
    private static async Task<RestLeaseGrant> ReadLeaseGrantAsync(RestCall call)
    {
        var body = await RequestBody.ReadAsync(call.Context.Request, call.Host.Limits.MaxHttpBodyBytes, call.Deadline).ConfigureAwait(false);
        RestLeaseGrant? request;
        try
        {
            var root = StrictJson.Parse(body);
            EnsureKnownFields(root, LeaseGrantFields);
            request = root.Deserialize(RestJson.Context.RestLeaseGrant);
        }
        catch (JsonException ex) when (ex.Path is { Length: > 2 } path)
        {
            throw RestErrors.BadRequest($"field \"{path[2..]}\" must be a whole number, as in {{\"ttl_seconds\": 30}}");
        }
        catch (JsonException ex)
        {
            throw RestErrors.BadRequest("the body must be JSON like {\"ttl_seconds\": 30}: " + ex.Message);
        }

        return request is { TtlSeconds: > 0 } ? request : throw RestErrors.BadRequest("ttl_seconds must be a positive number of seconds");
    }

    /// <summary>Refuses a field the body type does not have, naming it and the fields there are.</summary>
    private static void EnsureKnownFields(JsonElement root, string[] known)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw RestErrors.BadRequest($"unknown field \"{property.Name}\"; the fields are {string.Join(", ", known)}");
            }
        }
    }

    private static async Task TimeToLiveAsync(RestCall call, long id)
    {
        await call.ReadBarrierAsync().ConfigureAwait(false);
        var info = call.Host.Store.LeaseTimeToLive(new LeaseId(id), withKeys: true) ?? throw LeaseNotFound(id);
        await call.WriteJsonAsync(StatusCodes.Status200OK, View(call.Host, info, withKeys: true), RestJson.Context.RestLease).ConfigureAwait(false);
    }

    private static async Task KeepAliveAsync(RestCall call, long id)
    {
        var ttl = await call.Host.Leases.KeepAliveAsync(new LeaseId(id), call.Deadline).ConfigureAwait(false);
        if (ttl == 0)
        {
            throw LeaseNotFound(id);
        }

        var lease = new RestLease { Id = id, GrantedTtlSeconds = ttl, TtlSeconds = ttl };
        await call.WriteJsonAsync(StatusCodes.Status200OK, lease, RestJson.Context.RestLease).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(RestCall call, long id)
    {
        await call.ProposeAsync(new LeaseRevokeCommand(new LeaseId(id))).ConfigureAwait(false);
        call.Context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static RestLease View(RaftHost host, LeaseInfo info, bool withKeys) => new()
    {
        Id = info.Id.Value, GrantedTtlSeconds = info.GrantedTtlSeconds, TtlSeconds = host.Leases.RemainingSeconds(info),
        Keys = withKeys ? info.Keys.Select(key => RestJson.Text(key.Span, out _)).ToArray() : null,
    };

    private static RestRequestException LeaseNotFound(long id) =>
        new(StatusCodes.Status404NotFound, new RestError { Error = $"lease {id} not found (expired or revoked)", Code = "lease_not_found" });

    private static string Hex(NodeId id) => id.Value.ToString("x", CultureInfo.InvariantCulture);

    private static string RoleName(StateRole role) => role switch
    {
        StateRole.Leader => "leader",
        StateRole.Candidate => "candidate",
        StateRole.PreCandidate => "pre-candidate",
        _ => "follower",
    };
}
