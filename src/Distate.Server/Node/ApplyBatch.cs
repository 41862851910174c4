using Distate.Raft;

namespace Distate.Server.Node;

/// <summary>
/// What one Ready hands from the node loop to the apply task, in log order: a snapshot to install, committed entries
/// with the proposals waiting on them, and the reads whose read index these entries reach. The apply task handles
/// batches strictly in the order the loop wrote them, so a read released with a batch is served only after every
/// entry up to its read index has been applied.
/// </summary>
internal sealed class ApplyBatch
{
    /// <summary>A snapshot received from the leader, to install before <see cref="Entries"/>; null when none.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Committed entries to apply, in log order.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>Proposals made here that these entries complete, keyed by entry index (term already matched by the loop).</summary>
    public List<(LogIndex Index, PendingProposal Proposal)> Proposals { get; } = [];

    /// <summary>Linearizable reads to release once the entries are applied.</summary>
    public List<PendingRead> Reads { get; } = [];

    /// <summary>The membership in force after the last entry of this batch (the loop applied the changes to Raft).</summary>
    public required ConfState ConfStateAfter { get; init; }

    /// <summary>Completed once the batch is applied; used to wait for apply to catch up at start.</summary>
    public TaskCompletionSource? Applied { get; init; }

    /// <summary>The log index this batch brings the state machine to.</summary>
    public LogIndex LastIndex => Entries.Count > 0 ? Entries[^1].Index : Snapshot?.Metadata.Index ?? LogIndex.Zero;
}
