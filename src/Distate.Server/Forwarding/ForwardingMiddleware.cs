using Distate.Server.Api;

namespace Distate.Server.Forwarding;

/// <summary>Routes leader-only requests that reach a follower to the leader; answers 503 + Retry-After when it cannot.</summary>
public static class ForwardingMiddleware
{
    /// <summary>Adds the middleware in front of every endpoint.</summary>
    public static void Use(WebApplication app, LeaderForwarder forwarder, int requestTimeoutMs)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(forwarder);
        app.Use(async (context, next) =>
        {
            if (!forwarder.ShouldForward(context.Request))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            using var waitForLeader = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            waitForLeader.CancelAfter(requestTimeoutMs);
            var (leaderUrl, problem) = await forwarder.WaitForLeaderUrlAsync(waitForLeader.Token).ConfigureAwait(false);
            if (leaderUrl is null)
            {
                if (!context.RequestAborted.IsCancellationRequested)
                {
                    await EtcdGateway.WriteUnavailableAsync(context, "etcdserver: " + problem).ConfigureAwait(false);
                }

                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            // The leader answers within its own request timeout; the margin covers the hop.
            timeout.CancelAfter(requestTimeoutMs + 1000);
            try
            {
                await forwarder.ForwardAsync(context, leaderUrl, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (!context.Response.HasStarted)
            {
                await EtcdGateway.WriteUnavailableAsync(context, "etcdserver: " + LeaderForwarder.Unreachable(leaderUrl, ex)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                await EtcdGateway.WriteUnavailableAsync(context, "etcdserver: request timed out while forwarded to the leader; a write may or may not have been applied").ConfigureAwait(false);
            }
        });
    }
}
