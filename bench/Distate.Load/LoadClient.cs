using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Distate.Load;

/// <summary>
/// One closed-loop client: its own <see cref="HttpClient"/> over a <see cref="SocketsHttpHandler"/> limited to one
/// HTTP/1.1 keep-alive connection, sending the next pre-encoded body as soon as the previous answer is read. It owns
/// its histogram and error counts, so clients never contend; the runner merges them after the run.
/// </summary>
internal sealed class LoadClient : IDisposable
{
    /// <summary>Pause after a failed connection or timeout, so a dead endpoint is not hammered in a hot loop.</summary>
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(10);

    private static readonly byte[] KvsMarker = "\"kvs\""u8.ToArray();

    private readonly HttpClient _http;
    private readonly Uri _uri;
    private readonly RequestBodies _bodies;
    private readonly RunSchedule _schedule;
    private readonly byte[] _responseBuffer = new byte[64 * 1024];
    private ulong _randomState;

    /// <summary>Creates a client of <paramref name="endpoint"/>; it connects on its first request.</summary>
    public LoadClient(int index, Uri endpoint, RequestBodies bodies, RunSchedule schedule, TimeSpan requestTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = requestTimeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _uri = new Uri(endpoint, bodies.Path);
        _bodies = bodies;
        _schedule = schedule;
        _randomState = FastRandom.Seed(index);
    }

    /// <summary>Latencies of measured requests answered 200.</summary>
    public LatencyHistogram Histogram { get; } = new();

    /// <summary>Measured failures by HTTP status ("503") or exception type ("HttpRequestException").</summary>
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>Measured 200 answers to a range that held no kvs (key not found).</summary>
    public long EmptyRanges { get; private set; }

    /// <summary>Stopwatch timestamp at which the last measured request completed; 0 if none did.</summary>
    public long LastCompletionTimestamp { get; private set; }

    /// <summary>Sends requests until the schedule's time or budget runs out.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var slot = _schedule.NextSlotTimestamp();
            var early = slot - Stopwatch.GetTimestamp();
            if (early > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)early / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            }

            var start = Stopwatch.GetTimestamp();
            if (start >= _schedule.EndTimestamp)
            {
                return;
            }

            var measured = start >= _schedule.MeasureStartTimestamp;
            if ((measured && !_schedule.TryBeginMeasured()) || !TryPickKey(out var key))
            {
                return;
            }

            var (status, error) = await SendAsync(_bodies[key], cancellationToken).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            if (measured)
            {
                Count(status, error, end - start);
                LastCompletionTimestamp = end;
            }

            if (error is not null)
            {
                await Task.Delay(ErrorBackoff, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool TryPickKey(out int key)
    {
        if (_schedule.FillKeys > 0)
        {
            return _schedule.TryNextFillKey(out key);
        }

        key = (int)(FastRandom.Next(ref _randomState) % (ulong)_bodies.Count);
        return true;
    }

    private void Count(int status, string? error, long elapsedTicks)
    {
        if (status == 200)
        {
            Histogram.Record(RunSchedule.ToNanoseconds(elapsedTicks));
            return;
        }

        var name = error ?? status.ToString(CultureInfo.InvariantCulture);
        Errors[name] = Errors.GetValueOrDefault(name) + 1;
    }

    /// <summary>One request: the status (0 on a transport failure) and, on failure, the exception type's name.</summary>
    private async Task<(int Status, string? Error)> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ReadOnlyMemoryContent(body) };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            var length = await DrainAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK && _bodies.Path == "/v3/kv/range" &&
                _responseBuffer.AsSpan(0, length).IndexOf(KvsMarker) < 0)
            {
                EmptyRanges++;
            }

            return ((int)response.StatusCode, null);
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.GetType().Name);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout passed: count it as an error rather than ending the run.
            return (0, ex.InnerException is TimeoutException ? "Timeout" : ex.GetType().Name);
        }
    }

    /// <summary>Reads the whole body into the reusable buffer (wrapping if longer); returns the bytes kept.</summary>
    private async Task<int> DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(_responseBuffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length == _responseBuffer.Length)
                {
                    length = 0;
                }
            }

            return length;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
