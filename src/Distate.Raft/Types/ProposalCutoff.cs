namespace Distate.Raft;

/// <summary>
/// The committed log has reached an entry of <paramref name="Term"/> at <paramref name="Index"/>: every proposal
/// accepted at a higher index in an earlier term can never commit, so the host fails it now instead of waiting for an
/// index that may never be written again.
/// </summary>
/// <remarks>
/// Why it is sound: terms never decrease along a Raft log, and every future committed log extends today's committed
/// prefix. So whatever entry ends up committed at an index above <paramref name="Index"/> has a term at least
/// <paramref name="Term"/>, never the earlier term the proposal was accepted in. Proposals at or below
/// <paramref name="Index"/> are decided by the entry applied there, as always.
/// </remarks>
/// <param name="Index">The commit index when the committed term rose.</param>
/// <param name="Term">The term of the entry at <paramref name="Index"/>.</param>
public readonly record struct ProposalCutoff(LogIndex Index, Term Term)
{
    /// <summary>True when a proposal accepted at <paramref name="index"/> in <paramref name="term"/> can no longer commit.</summary>
    public bool RulesOut(LogIndex index, Term term) => index > Index && term < Term;

    /// <inheritdoc />
    public override string ToString() => $"{Term}/{Index}";
}
