using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node.Apply;

/// <summary>
/// What one Ready hands from the driver to the apply task, in log order: a snapshot to install, committed entries with
/// the proposals waiting on them, and the reads whose read index these entries reach. The apply task handles batches
/// strictly in the order the driver made them, so a read released with a batch is served only after every entry up to
/// its read index has been applied.
/// </summary>
public sealed class ApplyBatch
{
    /// <summary>A snapshot received from the leader, to install before <see cref="Entries"/>; null when none.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Committed entries to apply, in log order.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>Proposals made here that these entries complete, in index order (term already matched by the driver).</summary>
    internal List<(LogIndex Index, PendingProposal Proposal)> Proposals { get; } = [];

    /// <summary>Linearizable reads to release once the entries are applied, with their read index.</summary>
    internal List<(PendingRead Read, LogIndex Index)> Reads { get; } = [];

    /// <summary>The membership in force after the last entry of this batch (the driver applied the changes to Raft).</summary>
    public required ConfState ConfStateAfter { get; init; }

    /// <summary>Forwarded requests a proposal cutoff decided: those still waiting once this batch is applied were never
    /// applied and never will be (see NodeDriver.Forwarding.cs); null for none.</summary>
    public IReadOnlyList<ulong>? ForwardedRuledOut { get; init; }

    /// <summary>Told once the batch is applied (used to wait until apply caught up); null for none.</summary>
    public IRequestWaiter? AppliedWaiter { get; init; }

    /// <summary>The log index this batch brings the state machine to (zero for an empty marker batch).</summary>
    public LogIndex LastIndex => Entries.Count > 0 ? Entries[^1].Index : Snapshot?.Metadata.Index ?? LogIndex.Zero;

    /// <summary>Fails every request waiting on this batch (it will never be applied).</summary>
    public void Fail(RequestFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        foreach (var (_, proposal) in Proposals)
        {
            proposal.Waiter.Fail(failure);
        }

        foreach (var (read, _) in Reads)
        {
            read.Waiter.Fail(failure);
        }

        AppliedWaiter?.Fail(failure);
    }
}
