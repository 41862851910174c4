namespace Distate.Simulation.Host;

/// <summary>The simulator's time: one timestamp unit per simulation step, read from the cluster's clock.</summary>
public sealed class SimClock(Func<long> now) : TimeProvider
{
    /// <inheritdoc />
    public override long TimestampFrequency => 1_000;

    /// <inheritdoc />
    public override long GetTimestamp() => now();
}
