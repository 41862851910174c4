using Distate.Node.Requests;
using Distate.Node.Runtime;
using Distate.Raft;
using Distate.Server.Members;
using Distate.Server.Node;

namespace Distate.Server.Forwarding;

/// <summary>
/// Sends a client's write to the leader when it arrives at a follower, so clients never hunt for the leader: the
/// request is replayed to the leader's published client URL and its answer (status, headers, body — streamed) is
/// relayed back. A forwarded request carries <see cref="ForwardedHeader"/> and is never forwarded again, so a stale
/// view of the leader costs one 503 the client can retry, never a loop.
/// </summary>
public sealed class LeaderForwarder : IDisposable
{
    /// <summary>Marks a request already forwarded once.</summary>
    public const string ForwardedHeader = "X-Distate-Forwarded-By";

    private static readonly string[] RequestHeaders = ["Content-Type", "If-Match", "If-None-Match", "Last-Event-ID", "Accept"];
    private static readonly string[] ResponseHeaders = ["ETag", "Retry-After", "Location", "Cache-Control"];
    private readonly RaftHost _host;
    private readonly HttpClient _client;

    /// <summary>Creates the forwarder with its own pooled connections to the leader.</summary>
    public LeaderForwarder(RaftHost host)
    {
        _host = host;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            UseProxy = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The internal endpoint members publish their name and client URLs to (leader-only).</summary>
    public const string PublishPath = "/distate/internal/publish";

    /// <summary>True when this request must go to the leader over HTTP: its endpoint is declared <see cref="LeaderOnly"/>
    /// (a key-value write only while this member's disk is full), this member is not the leader, and it was not
    /// forwarded already. Needs routing to have chosen the endpoint.</summary>
    public bool ShouldForward(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint()?.Metadata.GetMetadata<LeaderOnly>() is { } leaderOnly
            && (!leaderOnly.OnlyWhileReadOnly || _host.ReadOnlyReason is not null)
            && _host.Status.Role != StateRole.Leader
            && !context.Request.Headers.ContainsKey(ForwardedHeader);
    }

    /// <summary>The leader's first client URL, if a leader is known and has published it.</summary>
    public bool TryGetLeaderUrl(out Uri url, out string problem)
    {
        url = null!;
        var leader = _host.Status.Leader;
        if (!leader.IsSome)
        {
            problem = RequestFailure.Describe(DroppedReason.NoLeader);
            return false;
        }

        if (!_host.Members.TryGet(leader, out var member) || member.ClientUrls.Count == 0)
        {
            problem = $"the leader ({leader.Value:x}) has not published its client URL yet; retry shortly";
            return false;
        }

        url = member.ClientUrls[0];
        problem = "";
        return true;
    }

    /// <summary>
    /// Waits (with a short backoff, until <paramref name="cancellationToken"/>) for a leader whose client URL is known:
    /// during an election, or before a new leader's publish has applied here, a request waits rather than fails.
    /// Returns null with the last problem when the deadline passes.
    /// </summary>
    public async Task<(Uri? Url, string Problem)> WaitForLeaderUrlAsync(CancellationToken cancellationToken)
    {
        var delay = Backoff.First;
        while (true)
        {
            if (TryGetLeaderUrl(out var url, out var problem))
            {
                return (url, "");
            }

            if (!await Backoff.WaitAsync(delay, TimeProvider.System, cancellationToken).ConfigureAwait(false))
            {
                return (null, problem);
            }

            delay = Backoff.Next(delay);
        }
    }

    /// <summary>
    /// Replays <paramref name="context"/>'s request to the leader and relays the answer; returns null once answered, or
    /// why no leader answered. During an election the request waits rather than fails: it waits (within
    /// <paramref name="waitMs"/>) for a leader to be known, and when the leader cannot even be connected to — it just
    /// died, and the others have not elected a new one yet — the request certainly did not reach it, so it is sent
    /// again, with a short backoff, to whichever member leads next. (A request that did reach a leader is never sent
    /// twice: its answer, or its timeout, is final.)
    /// </summary>
    public async Task<string?> ForwardAsync(HttpContext context, int waitMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(waitMs);
        var body = await BufferBodyAsync(context.Request, cancellationToken).ConfigureAwait(false);
        var delay = Backoff.First;
        while (true)
        {
            var (leaderUrl, problem) = await WaitForLeaderUrlAsync(wait.Token).ConfigureAwait(false);
            if (leaderUrl is null)
            {
                return problem;
            }

            try
            {
                await SendOnceAsync(context, leaderUrl, body, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && !context.Response.HasStarted)
            {
                problem = Unreachable(leaderUrl, ex);
                if (!await Backoff.WaitAsync(delay, TimeProvider.System, wait.Token).ConfigureAwait(false))
                {
                    return problem;
                }

                delay = Backoff.Next(delay);
            }
            catch (HttpRequestException ex) when (!context.Response.HasStarted)
            {
                return Unreachable(leaderUrl, ex);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                return "request timed out while forwarded to the leader; a write may or may not have been applied";
            }
        }
    }

    /// <summary>Reads the whole request body (bounded by Kestrel's body limit) so it can be sent more than once.</summary>
    private static async Task<byte[]?> BufferBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is not > 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }

        using var buffer = request.ContentLength is { } length ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }


    /// <summary>Sends the request to one leader URL and relays its answer (status, headers, streamed body).</summary>
    private async Task SendOnceAsync(HttpContext context, Uri leaderUrl, byte[]? body, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var target = new Uri(leaderUrl, request.Path.ToUriComponent() + request.QueryString.ToUriComponent());
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        message.Headers.TryAddWithoutValidation(ForwardedHeader, _host.Id.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
        }

        CopyRequestHeaders(request, message);
        _host.Metrics.ForwardedRequests.Increment();
        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        CopyResponseHeaders(response, context.Response);
        await using var answer = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await CopyStreamingAsync(answer, context.Response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Renews a lease on the leader for a keep-alive stream a client holds open on this follower: one short keep-alive
    /// request per message, whose one-line answer the caller relays. (HttpClient's HTTP/1.1 cannot read an answer while
    /// a request body is still open, so the stream itself cannot be proxied.) Fails with a 503-mapped refusal when no
    /// leader is reachable within <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<byte[]> KeepAliveOnLeaderAsync(long leaseId, CancellationToken cancellationToken)
    {
        var (leaderUrl, problem) = await WaitForLeaderUrlAsync(cancellationToken).ConfigureAwait(false);
        if (leaderUrl is null)
        {
            throw new RequestFailedException(new RequestFailure(DroppedReason.NoLeader, NodeId.None, problem));
        }

        var json = "{\"ID\":\"" + leaseId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}";
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(leaderUrl, "/v3/lease/keepalive")) { Content = content };
        message.Headers.TryAddWithoutValidation(ForwardedHeader, _host.Id.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        _host.Metrics.ForwardedRequests.Increment();
        try
        {
            using var response = await _client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? answer
                : throw new RequestFailedException(new RequestFailure(DroppedReason.NotLeader, NodeId.None,
                    $"the leader at {leaderUrl} refused the keep-alive ({(int)response.StatusCode}): {System.Text.Encoding.UTF8.GetString(answer)}"));
        }
        catch (HttpRequestException ex)
        {
            throw new RequestFailedException(new RequestFailure(DroppedReason.NotLeader, NodeId.None, Unreachable(leaderUrl, ex)));
        }
    }

    /// <summary>What a client is told when the leader could not be reached (with the underlying cause).</summary>
    public static string Unreachable(Uri leaderUrl, HttpRequestException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var cause = failure.InnerException is { } inner ? $" ({inner.Message})" : "";
        return $"could not reach the leader at {leaderUrl}: {failure.Message}{cause}; retry shortly";
    }

    /// <summary>Sends this member's publish entry to the leader's internal endpoint.</summary>
    public async Task PublishAsync(Uri leaderUrl, byte[] entry, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(entry);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(leaderUrl, PublishPath)) { Content = content };
        message.Headers.TryAddWithoutValidation(ForwardedHeader, _host.Id.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static void CopyRequestHeaders(HttpRequest request, HttpRequestMessage message)
    {
        foreach (var name in RequestHeaders)
        {
            if (!request.Headers.TryGetValue(name, out var values))
            {
                continue;
            }

            if (name == "Content-Type")
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
    }

    private static void CopyResponseHeaders(HttpResponseMessage response, HttpResponse target)
    {
        foreach (var name in ResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                target.Headers[name] = values.ToArray();
            }
        }

        foreach (var header in response.Headers.Where(header => header.Key.StartsWith("X-Distate-", StringComparison.OrdinalIgnoreCase)))
        {
            target.Headers[header.Key] = header.Value.ToArray();
        }

        if (response.Content.Headers.ContentType is { } contentType)
        {
            target.ContentType = contentType.ToString();
        }
    }

    /// <summary>Copies the leader's body, flushing after every read so streams (keep-alive, SSE) stay live.</summary>
    private static async Task CopyStreamingAsync(Stream source, HttpResponse target, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await target.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            await target.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
