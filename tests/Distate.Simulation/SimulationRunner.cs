using System.Text;
using Xunit.Abstractions;

namespace Distate.Simulation;

/// <summary>Runs a scenario over the selected seeds and reports every failing seed with how to replay it.</summary>
public static class SimulationRunner
{
    /// <summary>Runs all selected seeds; fails listing each failing seed, its violation and the replay command.</summary>
    public static void RunSeeds(SimScenario scenario, ITestOutputHelper output)
    {
        var seeds = SeedSelection.For(scenario);
        var total = new SimStatistics();
        var failures = new StringBuilder();
        var failed = 0;
        foreach (var seed in seeds)
        {
            var cluster = new SimCluster(scenario, seed, keepFullTrace: SeedSelection.SingleSeed);
            try
            {
                cluster.Run();
                total.Add(cluster.Statistics);
            }
            catch (SafetyViolationException ex)
            {
                failed++;
                if (failed <= 3)
                {
                    failures.AppendLine($"seed {seed}: {ex.Message}");
                    failures.AppendLine($"replay: DISTATE_SIM_SEED={seed} dotnet test tests/Distate.Simulation --filter \"FullyQualifiedName~{scenario.Name}\"");
                }
                else
                {
                    failures.AppendLine($"seed {seed}: {ex.Message.Split('\n')[0]}");
                }

                if (SeedSelection.SingleSeed)
                {
                    output.WriteLine(cluster.FullTrace);
                }
            }
        }

        output.WriteLine($"{scenario.Name}: {seeds.Count} seeds from {seeds[0]}, {failed} failed; {total}");
        Assert.True(failed == 0, $"{scenario.Name}: {failed} of {seeds.Count} seeds failed\n{failures}");
        // A simulation that acknowledged nothing proved nothing.
        Assert.True(total.WritesOk > seeds.Count && total.ReadsOk > seeds.Count / 2, $"{scenario.Name}: too little client progress: {total}");
    }
}
