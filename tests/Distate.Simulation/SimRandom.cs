namespace Distate.Simulation;

/// <summary>The simulator's only randomness: a seeded SplitMix64, so one seed replays a whole run exactly.</summary>
public sealed class SimRandom
{
    private ulong _state;

    /// <summary>Creates a generator for a seed.</summary>
    public SimRandom(ulong seed) => _state = seed;

    /// <summary>The next raw 64-bit value.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, max).</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)(NextUInt64() % (ulong)max);

    /// <summary>A uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability) => probability > 0 && (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < probability;

    /// <summary>A uniformly chosen element.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
