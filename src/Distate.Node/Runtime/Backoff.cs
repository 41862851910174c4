namespace Distate.Node.Runtime;

/// <summary>The short, growing waits between retries of a request that may soon succeed (a leader being elected).</summary>
public static class Backoff
{
    /// <summary>The first wait.</summary>
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest wait.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(200);

    /// <summary>The wait after <paramref name="delay"/>: twice as long, up to <see cref="Longest"/>.</summary>
    public static TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Longest.Ticks));

    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>; false when <paramref name="cancellationToken"/>
    /// ends the wait first.</summary>
    public static async Task<bool> WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
