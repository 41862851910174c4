namespace Distate.Simulation;

/// <summary>What a run did, summed across runs for the test output (so a run that did nothing is visible).</summary>
public sealed class SimStatistics
{
    /// <summary>Writes acknowledged.</summary>
    public int WritesOk { get; set; }

    /// <summary>Reads served linearizably.</summary>
    public int ReadsOk { get; set; }

    /// <summary>Operations failed or unknown.</summary>
    public int NotOk { get; set; }

    /// <summary>Crashes injected (including before persisting a Ready).</summary>
    public int Crashes { get; set; }

    /// <summary>Partitions made.</summary>
    public int Partitions { get; set; }

    /// <summary>Membership changes accepted.</summary>
    public int ConfChanges { get; set; }

    /// <summary>Leadership transfers requested.</summary>
    public int Transfers { get; set; }

    /// <summary>Ticks from healing to proven progress.</summary>
    public int LivenessTicks { get; set; }

    /// <summary>Ticks from a leader becoming stable after healing to every pending write resolved (worst run).</summary>
    public int ResolveTicks { get; set; }

    /// <summary>Counts outcomes of the history.</summary>
    public void Record(IEnumerable<ClientOperation> history)
    {
        foreach (var operation in history)
        {
            if (operation.Outcome != OperationOutcome.Ok)
            {
                NotOk++;
            }
            else if (operation.IsWrite)
            {
                WritesOk++;
            }
            else
            {
                ReadsOk++;
            }
        }
    }

    /// <summary>Adds another run's counts.</summary>
    public void Add(SimStatistics other)
    {
        WritesOk += other.WritesOk;
        ReadsOk += other.ReadsOk;
        NotOk += other.NotOk;
        Crashes += other.Crashes;
        Partitions += other.Partitions;
        ConfChanges += other.ConfChanges;
        Transfers += other.Transfers;
        LivenessTicks = Math.Max(LivenessTicks, other.LivenessTicks);
        ResolveTicks = Math.Max(ResolveTicks, other.ResolveTicks);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"writes ok {WritesOk}, reads ok {ReadsOk}, not ok {NotOk}, crashes {Crashes}, partitions {Partitions}, " +
        $"conf changes {ConfChanges}, transfers {Transfers}, worst liveness {LivenessTicks} ticks, " +
        $"worst resolve {ResolveTicks} ticks";
}
