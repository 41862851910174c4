using System.Numerics;

namespace Distate.Load;

/// <summary>
/// A log-bucketed latency histogram in the manner of HdrHistogram: values below 2·S are counted exactly, above that
/// each power of two is split into S equal sub-buckets, so any recorded value is reported within 1/S of itself
/// (S = 128: under 0.8 %) in a fixed 58 KB array. Recording is one shift and one increment; not thread-safe — each
/// client owns one and the runner merges them at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>log2 of the sub-buckets per power of two.</summary>
    private const int SubBucketBits = 7;

    /// <summary>Sub-buckets per power of two (S).</summary>
    private const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>Largest value recorded as itself, nanoseconds (about 4.6 minutes); larger ones are clamped.</summary>
    public const long MaxValueNanoseconds = 1L << 48;

    /// <summary>Invariant: Counts.Length covers the index of <see cref="MaxValueNanoseconds"/>.</summary>
    private readonly long[] _counts = new long[IndexOf(MaxValueNanoseconds) + 1];

    /// <summary>Values recorded.</summary>
    public long TotalCount { get; private set; }

    /// <summary>Largest value recorded, nanoseconds (exact, not bucketed).</summary>
    public long MaxNanoseconds { get; private set; }

    /// <summary>Smallest value recorded, nanoseconds (exact); 0 when empty.</summary>
    public long MinNanoseconds { get; private set; }

    /// <summary>Sum of recorded values, nanoseconds, for the mean.</summary>
    public double SumNanoseconds { get; private set; }

    /// <summary>Counts one latency.</summary>
    public void Record(long nanoseconds)
    {
        var value = Math.Clamp(nanoseconds, 0, MaxValueNanoseconds);
        _counts[IndexOf(value)]++;
        MinNanoseconds = TotalCount == 0 ? value : Math.Min(MinNanoseconds, value);
        TotalCount++;
        MaxNanoseconds = Math.Max(MaxNanoseconds, value);
        SumNanoseconds += value;
    }

    /// <summary>Adds another histogram's counts into this one.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        if (other.TotalCount > 0)
        {
            MinNanoseconds = TotalCount == 0 ? other.MinNanoseconds : Math.Min(MinNanoseconds, other.MinNanoseconds);
        }

        TotalCount += other.TotalCount;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
        SumNanoseconds += other.SumNanoseconds;
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of recorded values fall, nanoseconds: the highest
    /// value of the bucket holding that rank (HdrHistogram's convention), never above the exact maximum.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (TotalCount == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * TotalCount);
        rank = Math.Max(rank, 1);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalentValue(i), MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    /// <summary>The bucket index of a value: exact below 2·S, else (shift · S + the top bits).</summary>
    internal static int IndexOf(long value)
    {
        if (value < 2 * SubBucketCount)
        {
            return (int)value;
        }

        var log2 = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = log2 - SubBucketBits;
        return (shift * SubBucketCount) + (int)(value >> shift);
    }

    /// <summary>The largest value that maps to <paramref name="index"/>.</summary>
    internal static long HighestEquivalentValue(int index)
    {
        if (index < 2 * SubBucketCount)
        {
            return index;
        }

        var shift = (index / SubBucketCount) - 1;
        var top = index - (shift * SubBucketCount);
        return ((long)(top + 1) << shift) - 1;
    }
}
