using System.Diagnostics;

namespace Distate.Load;

/// <summary>
/// The clock and the request budget every client of a run shares: warm-up until <see cref="MeasureStartTimestamp"/>,
/// measurement until <see cref="EndTimestamp"/>, at most <see cref="MaxRequests"/> measured requests, and (for fill)
/// the next key to write. Timestamps are <see cref="Stopwatch"/> ticks.
/// </summary>
internal sealed class RunSchedule
{
    private readonly long _startTimestamp;
    private readonly double _ticksPerRequest;
    private long _measuredBegun;
    private long _slots;
    private long _nextFillKey = -1;

    /// <summary>Creates a schedule starting now.</summary>
    public RunSchedule(TimeSpan warmup, TimeSpan duration, long maxRequests, int fillKeys, int ratePerSecond = 0)
    {
        var now = Stopwatch.GetTimestamp();
        _startTimestamp = now;
        _ticksPerRequest = ratePerSecond > 0 ? (double)Stopwatch.Frequency / ratePerSecond : 0;
        MeasureStartTimestamp = now + ToTicks(warmup);
        EndTimestamp = MeasureStartTimestamp + ToTicks(duration);
        MaxRequests = maxRequests;
        FillKeys = fillKeys;
    }

    /// <summary>Requests that begin at or after this are measured.</summary>
    public long MeasureStartTimestamp { get; }

    /// <summary>No request begins at or after this.</summary>
    public long EndTimestamp { get; }

    /// <summary>Most measured requests the run may begin.</summary>
    public long MaxRequests { get; }

    /// <summary>Keys the fill workload writes in order; 0 for random-key workloads.</summary>
    public int FillKeys { get; }

    /// <summary>With a rate (--rate), claims the next request slot and returns the timestamp it may begin at, so all
    /// clients together send evenly paced requests; 0 (begin now) without a rate.</summary>
    public long NextSlotTimestamp() =>
        _ticksPerRequest == 0 ? 0 : _startTimestamp + (long)(Interlocked.Increment(ref _slots) * _ticksPerRequest);

    /// <summary>Claims one measured request from the budget; false once the budget is spent.</summary>
    public bool TryBeginMeasured() => Interlocked.Increment(ref _measuredBegun) <= MaxRequests;

    /// <summary>Claims the next key to fill; false once every key has been claimed.</summary>
    public bool TryNextFillKey(out int key)
    {
        var next = Interlocked.Increment(ref _nextFillKey);
        key = (int)Math.Min(next, int.MaxValue);
        return next < FillKeys;
    }

    /// <summary>Converts a duration to <see cref="Stopwatch"/> ticks.</summary>
    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Converts <see cref="Stopwatch"/> ticks to nanoseconds.</summary>
    public static long ToNanoseconds(long ticks) => (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
}
