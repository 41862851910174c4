namespace Distate.Raft;

/// <summary>Where a snapshot sits in the log and the membership as of that point.</summary>
/// <param name="Index">The last log index the snapshot covers.</param>
/// <param name="Term">The term of the entry at <paramref name="Index"/>.</param>
/// <param name="ConfState">Membership as of <paramref name="Index"/>.</param>
public sealed record SnapshotMetadata(LogIndex Index, Term Term, ConfState ConfState)
{
    /// <summary>Metadata of "no snapshot": index 0 and no members.</summary>
    public static readonly SnapshotMetadata Empty = new(LogIndex.Zero, Term.Zero, ConfState.Empty);
}
