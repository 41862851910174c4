using Distate.Server.Http;

namespace Distate.Server.Forwarding;

/// <summary>Routes leader-only requests that reach a follower to the leader; answers 503 + Retry-After when it cannot, in
/// the shape of the API the path belongs to (<see cref="ApiErrorWriter"/>).</summary>
public static class ForwardingMiddleware
{
    /// <summary>Adds the middleware in front of every endpoint, after routing (it reads the chosen endpoint's
    /// <see cref="LeaderOnly"/> metadata).</summary>
    public static void Use(WebApplication app, LeaderForwarder forwarder, int requestTimeoutMs)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(forwarder);
        app.Use(async (context, next) =>
        {
            if (!forwarder.ShouldForward(context))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            // The leader answers within its own request timeout; the margin covers the hop and a leader change.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            deadline.CancelAfter(requestTimeoutMs + 1000);
            var outcome = await forwarder.ForwardAsync(context, requestTimeoutMs, deadline.Token).ConfigureAwait(false);
            if (outcome is not null && !context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                await ApiErrorWriter.WriteUnavailableAsync(context, outcome).ConfigureAwait(false);
            }
        });
    }
}
