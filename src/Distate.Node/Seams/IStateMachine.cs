using Distate.Node.Envelope;
using Distate.Raft;

namespace Distate.Node.Seams;

/// <summary>
/// The replicated state machine behind the driver. Called only by the apply task, in log order; must decide every
/// entry the same way on every member (no clocks, no member-local settings).
/// </summary>
public interface IStateMachine
{
    /// <summary>Applies a committed normal entry; returns the result the proposer's request completes with.</summary>
    object? Apply(LogIndex index, EntryEnvelope envelope);

    /// <summary>Applies a committed membership change (Raft's own membership was already updated by the driver).</summary>
    void ApplyConfChange(LogIndex index, ConfChange change);

    /// <summary>Captures the state as of <paramref name="appliedIndex"/>, the last applied entry (quick: on the apply task
    /// between two batches).</summary>
    ISnapshotSource Capture(LogIndex appliedIndex);

    /// <summary>Replaces the state with a snapshot's data.</summary>
    void Restore(Snapshot snapshot);
}

/// <summary>A captured state, written out later (slow) on another task.</summary>
public interface ISnapshotSource
{
    /// <summary>Writes the captured state.</summary>
    void WriteTo(Stream stream);
}
