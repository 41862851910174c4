namespace Distate.Node.Runtime;

/// <summary>Settings of the production runtime around the driver; every limit is checked by <see cref="Validate"/>.</summary>
public sealed record NodeRuntimeOptions
{
    /// <summary>Wall-clock time of one Raft tick (--heartbeat-interval).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Inputs that may wait for the loop; beyond it writers wait (back-pressure).</summary>
    public int InputCapacity { get; init; } = 16_384;

    /// <summary>Inputs the loop hands the driver before it handles Readies.</summary>
    public int MaxInputsPerBatch { get; init; } = 4096;

    /// <summary>Apply batches (one per Ready) that may wait for the apply task before the loop itself waits.</summary>
    public int ApplyCapacity { get; init; } = 256;

    /// <summary>How long a failed node waits for its loop and apply task to stop before giving up on them.</summary>
    public TimeSpan StopAfterFailureTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(TickInterval > TimeSpan.Zero, nameof(TickInterval));
        Require(InputCapacity > 0, nameof(InputCapacity));
        Require(MaxInputsPerBatch > 0, nameof(MaxInputsPerBatch));
        Require(ApplyCapacity > 0, nameof(ApplyCapacity));
        Require(StopAfterFailureTimeout > TimeSpan.Zero, nameof(StopAfterFailureTimeout));
    }

    private static void Require(bool condition, string name)
    {
        if (!condition)
        {
            throw new ArgumentException($"Node runtime setting {name} must be positive.", name);
        }
    }
}
