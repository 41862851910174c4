namespace Distate.Server.Metrics;

/// <summary>A monotonically increasing count, safe to bump from any thread.</summary>
public sealed class Counter
{
    private long _value;

    /// <summary>The current count.</summary>
    public long Value => Interlocked.Read(ref _value);

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _value);

    /// <summary>Adds <paramref name="count"/> (not negative).</summary>
    public void Add(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _value, count);
    }
}
