namespace Distate.Server.Metrics;

/// <summary>
/// A Prometheus-style latency histogram in seconds with fixed bucket bounds (cumulative counts are computed when
/// read). Lock-free: each observation is two interlocked adds.
/// </summary>
public sealed class Histogram
{
    /// <summary>Upper bounds in seconds: 100 µs to 10 s, roughly doubling.</summary>
    public static readonly double[] Bounds =
    [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ];

    private readonly long[] _counts = new long[Bounds.Length + 1];
    private long _sumMicroseconds;

    /// <summary>Records one observation.</summary>
    public void Observe(double seconds)
    {
        var bucket = Array.BinarySearch(Bounds, seconds);
        bucket = bucket >= 0 ? bucket : ~bucket;
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1_000_000));
    }

    /// <summary>Cumulative counts per bound, the +Inf count last.</summary>
    public long[] CumulativeCounts()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return cumulative;
    }

    /// <summary>Sum of all observations in seconds.</summary>
    public double SumSeconds => Interlocked.Read(ref _sumMicroseconds) / 1_000_000.0;
}
