using Xunit.Abstractions;

namespace Distate.Simulation;

// Each class is its own xunit collection, so the scenario families run in parallel across cores.

/// <summary>
/// Proves the Raft core safe and live on a lossy, reordering network with crashes: every step checks the five Raft
/// safety properties, the end checks linearizability and liveness after healing. Seeds: see docs/simulation.md.
/// </summary>
public sealed class Basic3SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Basic3_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.Basic3, output);
}

/// <summary>Proves safety and liveness of five nodes under 3/2 splits, isolated leaders and one-way cuts.</summary>
public sealed class Partitions5SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Partitions5_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.Partitions5, output);
}

/// <summary>Proves that crashes at any moment, including before a Ready is persisted, lose nothing acknowledged.</summary>
public sealed class Crashes5SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Crashes5_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.Crashes5, output);
}

/// <summary>Proves membership changes (learners, promotion, removal of followers and leaders) and transfers safe.</summary>
public sealed class MembershipSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Membership_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.Membership, output);
}

/// <summary>Proves safety and liveness with every fault enabled at once.</summary>
public sealed class ChaosSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Chaos_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.Chaos, output);
}

/// <summary>Proves commit safety under leader churn: the Figure 8 interleavings of the Raft paper, found by seed.</summary>
public sealed class LeaderChurnSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void LeaderChurn_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.LeaderChurn, output);
}

/// <summary>Proves ReadIndex alone (no CheckQuorum) keeps reads linearizable while a deposed leader lives on.</summary>
public sealed class StaleLeader5SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void StaleLeader5_seeds_are_safe_linearizable_and_live() => SimulationRunner.RunSeeds(SimScenarios.StaleLeader5, output);
}
