using System.Globalization;

namespace Distate.Simulation;

/// <summary>
/// Which seeds a simulation test runs, from the environment: DISTATE_SIM_SEED (one seed), or
/// DISTATE_SIM_SEED_START and DISTATE_SIM_RUNS (a range); otherwise the scenario's default range from 1.
/// </summary>
public static class SeedSelection
{
    /// <summary>The seeds to run for a scenario.</summary>
    public static IReadOnlyList<ulong> For(SimScenario scenario)
    {
        var single = Read("DISTATE_SIM_SEED");
        if (single is not null)
        {
            return [single.Value];
        }

        var start = Read("DISTATE_SIM_SEED_START") ?? 1;
        var runs = Read("DISTATE_SIM_RUNS") ?? (ulong)scenario.DefaultRuns;
        var seeds = new ulong[runs];
        for (ulong i = 0; i < runs; i++)
        {
            seeds[i] = start + i;
        }

        return seeds;
    }

    /// <summary>True when DISTATE_SIM_SEED asks for one seed (and so the full trace on failure).</summary>
    public static bool SingleSeed => Read("DISTATE_SIM_SEED") is not null;

    private static ulong? Read(string name)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"{name} must be a non-negative integer, got '{text}'");
        }

        return value;
    }
}
