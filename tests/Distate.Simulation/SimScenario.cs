namespace Distate.Simulation;

/// <summary>A family of simulated runs: cluster shape and which faults the seed may inject, and how often.</summary>
public sealed record SimScenario
{
    /// <summary>Name used in test output and with DISTATE_SIM_SCENARIO.</summary>
    public required string Name { get; init; }

    /// <summary>Initial voters.</summary>
    public int Voters { get; init; } = 3;

    /// <summary>Extra node ids that membership changes may add (as learners, then voters).</summary>
    public int SpareNodes { get; init; }

    /// <summary>Ticks of faulty operation before healing.</summary>
    public int FaultTicks { get; init; } = 150;

    /// <summary>Ticks allowed after healing for a leader to emerge and every pending proposal to resolve.</summary>
    public int LivenessTicks { get; init; } = 80;

    /// <summary>Probability a message is lost.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability a message is delivered twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Largest message delay in steps (a tick is about 10 steps); random delays reorder messages.</summary>
    public int MaxDelaySteps { get; init; } = 12;

    /// <summary>Per-tick probability of a new partition (3/2 split, isolated leader, one-way cut, link cuts).</summary>
    public double PartitionRate { get; init; }

    /// <summary>Per-tick probability of healing the network.</summary>
    public double HealRate { get; init; } = 0.05;

    /// <summary>Per-tick probability of crashing a node (it loses everything not persisted).</summary>
    public double CrashRate { get; init; }

    /// <summary>Per-tick probability of restarting a crashed node.</summary>
    public double RestartRate { get; init; } = 0.1;

    /// <summary>Probability, per Ready, that the node crashes before persisting it.</summary>
    public double CrashDuringReadyRate { get; init; }

    /// <summary>Per-tick probability of proposing a membership change.</summary>
    public double MembershipRate { get; init; }

    /// <summary>Per-tick probability of a leadership transfer request.</summary>
    public double TransferRate { get; init; }

    /// <summary>Applied entries beyond the last snapshot that trigger a snapshot and log compaction (0 = never).</summary>
    public int SnapshotEveryEntries { get; init; }

    /// <summary>Per-tick probability that an idle client starts an operation.</summary>
    public double ClientRate { get; init; } = 0.5;

    /// <summary>Concurrent clients.</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Whether nodes' tick periods differ (clock drift).</summary>
    public bool ClockDrift { get; init; } = true;

    /// <summary>
    /// Probability that a newly elected leader is crashed or isolated within a few steps of winning: the adversarial
    /// timing behind Figure 8 of the Raft paper (a leader that dies before its no-op spreads).
    /// </summary>
    public double NewLeaderFaultRate { get; init; }

    /// <summary>Largest append message payload; small values split old-term entries from the new leader's no-op.</summary>
    public long MaxAppendBytes { get; init; } = 512;

    /// <summary>Chance per step that a node's apply task has not run yet, so applying lags the Ready loop (as in the
    /// server, where it runs on its own task).</summary>
    public double ApplyDelayRate { get; init; } = 0.5;

    /// <summary>Whether nodes run with CheckQuorum (off: an isolated leader keeps believing it leads).</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Runs each scenario gets in the default test run.</summary>
    public int DefaultRuns { get; init; } = 1200;
}
