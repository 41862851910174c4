using System.Globalization;
using System.Text;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Rest;

/// <summary>/v1/status and /v1/leases: the cluster's state and leases in plain JSON for people and scripts.</summary>
public static class RestClusterEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/v1/status", (RaftHost host) => Results.Json(Status(host)))
            .WithSummary("This member's view of the cluster: leader, term, indexes, members and, on the leader, each follower's lag.")
            .Produces<RestStatus>();
        app.MapGet("/v1/leases", ListLeasesAsync)
            .WithSummary("Every live lease.").Produces<RestLease[]>();
        app.MapPost("/v1/leases", GrantAsync)
            .WithSummary("Grants a lease; attach keys with PUT /v1/kv/{key}?lease={id}.").Produces<RestLease>(StatusCodes.Status201Created);
        app.MapGet("/v1/leases/{id:long}", TimeToLiveAsync)
            .WithSummary("A lease's remaining TTL and keys (answered by the leader's lease clock).").Produces<RestLease>();
        app.MapPost("/v1/leases/{id:long}/keepalive", KeepAliveAsync)
            .WithSummary("Renews a lease to its full TTL.").Produces<RestLease>();
        app.MapDelete("/v1/leases/{id:long}", RevokeAsync)
            .WithSummary("Revokes a lease, deleting its keys in one revision.").Produces(StatusCodes.Status204NoContent);
    }

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
            AppliedIndex = status.Applied.Value, LastIndex = status.LastIndex.Value, Revision = host.Store.CurrentRevision.Value,
            CompactRevision = host.Store.CompactRevision.Value, Members = members,
        };
    }

    private static async Task<IResult> ListLeasesAsync(RaftHost host, CancellationToken cancellationToken) =>
        await Guard(host, async deadline =>
        {
            await host.ReadBarrierAsync(deadline).ConfigureAwait(false);
            return Results.Json(host.Store.LeaseList().Select(lease => View(host, lease, withKeys: false)).ToArray());
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> GrantAsync(RaftHost host, RestLeaseGrant request, CancellationToken cancellationToken) =>
        await Guard(host, async deadline =>
        {
            if (request.TtlSeconds <= 0)
            {
                return Error(StatusCodes.Status400BadRequest, "bad_request", "ttl_seconds must be a positive number of seconds");
            }

            var ttl = Math.Max(request.TtlSeconds, host.Leases.MinTtlSeconds);
            var result = await host.ProposeAsync(new LeaseGrantCommand(new LeaseId(request.Id), ttl), deadline).ConfigureAwait(false);
            return result is LeaseGrantResult grant
                ? Results.Json(new RestLease { Id = grant.Id.Value, GrantedTtlSeconds = grant.TtlSeconds, TtlSeconds = grant.TtlSeconds }, statusCode: StatusCodes.Status201Created)
                : StoreFailure(result);
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> TimeToLiveAsync(RaftHost host, long id, CancellationToken cancellationToken) =>
        await Guard(host, async deadline =>
        {
            await host.ReadBarrierAsync(deadline).ConfigureAwait(false);
            var info = host.Store.LeaseTimeToLive(new LeaseId(id), withKeys: true);
            return info is null ? LeaseNotFound(id) : Results.Json(View(host, info, withKeys: true));
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> KeepAliveAsync(RaftHost host, long id, CancellationToken cancellationToken) =>
        await Guard(host, async deadline =>
        {
            var ttl = await host.Leases.KeepAliveAsync(new LeaseId(id), deadline).ConfigureAwait(false);
            return ttl == 0 ? LeaseNotFound(id) : Results.Json(new RestLease { Id = id, GrantedTtlSeconds = ttl, TtlSeconds = ttl });
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> RevokeAsync(RaftHost host, long id, CancellationToken cancellationToken) =>
        await Guard(host, async deadline =>
        {
            var result = await host.ProposeAsync(new LeaseRevokeCommand(new LeaseId(id)), deadline).ConfigureAwait(false);
            return result is StoreError ? StoreFailure(result) : Results.NoContent();
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a handler under the request timeout; no quorum or a refused proposal becomes 503 + Retry-After.</summary>
    private static async Task<IResult> Guard(RaftHost host, Func<CancellationToken, Task<IResult>> handler, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(host.Options.RequestTimeoutMs);
        try
        {
            return await handler(timeout.Token).ConfigureAwait(false);
        }
        catch (ProposalFailedException ex)
        {
            return Unavailable(ex.Message);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return Unavailable("request timed out: no quorum or no leader answered in time; a write may or may not have been applied");
        }
    }

    private static RestLease View(RaftHost host, LeaseInfo info, bool withKeys) => new()
    {
        Id = info.Id.Value, GrantedTtlSeconds = info.GrantedTtlSeconds, TtlSeconds = host.Leases.RemainingSeconds(info),
        Keys = withKeys ? info.Keys.Select(key => Encoding.UTF8.GetString(key.Span)).ToArray() : null,
    };

    private static IResult StoreFailure(StoreResult result)
    {
        var error = (StoreError)result;
        return error.Code == StoreErrorCode.LeaseNotFound
            ? Error(StatusCodes.Status404NotFound, "lease_not_found", error.Message)
            : Error(StatusCodes.Status400BadRequest, "bad_request", error.Message);
    }

    private static IResult LeaseNotFound(long id) =>
        Error(StatusCodes.Status404NotFound, "lease_not_found", $"lease {id} not found (expired or revoked)");

    private static RetryAfterResult Unavailable(string message) => new RetryAfterResult(Error(StatusCodes.Status503ServiceUnavailable, "unavailable", message));

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new Dictionary<string, string> { ["error"] = message, ["code"] = code }, statusCode: status);

    private static string Hex(NodeId id) => id.Value.ToString("x", CultureInfo.InvariantCulture);

    private static string RoleName(StateRole role) => role switch
    {
        StateRole.Leader => "leader",
        StateRole.Candidate => "candidate",
        StateRole.PreCandidate => "pre-candidate",
        _ => "follower",
    };

    /// <summary>Adds Retry-After: 1 to an inner result.</summary>
    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
