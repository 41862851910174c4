namespace Distate.Simulation;

/// <summary>The scenario families the default test run covers.</summary>
public static class SimScenarios
{
    /// <summary>Three nodes, a lossy reordering network, occasional crashes.</summary>
    public static readonly SimScenario Basic3 = new()
    {
        Name = nameof(Basic3), Voters = 3, LossRate = 0.02, DuplicateRate = 0.02, CrashRate = 0.01, CrashDuringReadyRate = 0.002,
        SnapshotEveryEntries = 40,
    };

    /// <summary>Five nodes under partitions: 3/2 splits, isolated leaders, one-way cuts, link cuts.</summary>
    public static readonly SimScenario Partitions5 = new()
    {
        Name = nameof(Partitions5), Voters = 5, LossRate = 0.03, DuplicateRate = 0.03, PartitionRate = 0.04, HealRate = 0.04,
        SnapshotEveryEntries = 60,
    };

    /// <summary>Crashes at any moment, including between taking a Ready and persisting it; snapshots and catch-up.</summary>
    public static readonly SimScenario Crashes5 = new()
    {
        Name = nameof(Crashes5), Voters = 5, LossRate = 0.01, CrashRate = 0.04, RestartRate = 0.15, CrashDuringReadyRate = 0.01,
        SnapshotEveryEntries = 25, PartitionRate = 0.01,
    };

    /// <summary>Membership changes (learners, promotions, removals including the leader) and leadership transfers.</summary>
    public static readonly SimScenario Membership = new()
    {
        Name = nameof(Membership), Voters = 3, SpareNodes = 2, LossRate = 0.02, MembershipRate = 0.06, TransferRate = 0.03,
        CrashRate = 0.01, SnapshotEveryEntries = 30, PartitionRate = 0.01, FaultTicks = 200,
    };

    /// <summary>Everything at once.</summary>
    public static readonly SimScenario Chaos = new()
    {
        Name = nameof(Chaos), Voters = 5, SpareNodes = 1, LossRate = 0.05, DuplicateRate = 0.05, PartitionRate = 0.03,
        CrashRate = 0.02, CrashDuringReadyRate = 0.005, MembershipRate = 0.02, TransferRate = 0.02, SnapshotEveryEntries = 30,
        MaxDelaySteps = 25,
    };

    /// <summary>
    /// Leader churn: new leaders are often crashed or cut off right after winning, appends carry few entries, and
    /// clients keep writing to whoever leads, so logs diverge across terms as in Figure 8 of the Raft paper.
    /// </summary>
    public static readonly SimScenario LeaderChurn = new()
    {
        Name = nameof(LeaderChurn), Voters = 5, NewLeaderFaultRate = 0.6, CrashRate = 0.05, PartitionRate = 0.05, RestartRate = 0.3, HealRate = 0.15, MaxAppendBytes = 80,
        ClientRate = 1.0, Clients = 6, MaxDelaySteps = 8, FaultTicks = 250,
    };

    /// <summary>
    /// Partitions with CheckQuorum off: a cut-off leader keeps believing it leads while a new one commits, so only
    /// ReadIndex's quorum round stands between clients and stale reads.
    /// </summary>
    public static readonly SimScenario StaleLeader5 = new()
    {
        Name = nameof(StaleLeader5), Voters = 5, CheckQuorum = false, LossRate = 0.02, PartitionRate = 0.05, HealRate = 0.03,
        SnapshotEveryEntries = 50,
    };

    /// <summary>All scenario families.</summary>
    public static readonly IReadOnlyList<SimScenario> All = [Basic3, Partitions5, Crashes5, Membership, Chaos, LeaderChurn, StaleLeader5];
}
