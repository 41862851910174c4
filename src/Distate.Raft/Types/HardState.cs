namespace Distate.Raft;

/// <summary>The state a node must persist before sending any message that depends on it.</summary>
/// <param name="Term">The current term.</param>
/// <param name="Vote">Who this node voted for in <paramref name="Term"/>, or None.</param>
/// <param name="Commit">The highest index known committed (persisting it is an optimisation, not a safety need).</param>
public readonly record struct HardState(Term Term, NodeId Vote, LogIndex Commit)
{
    /// <summary>The state of a node that has never run.</summary>
    public static readonly HardState Empty = new(Term.Zero, NodeId.None, LogIndex.Zero);

    /// <summary>True for the state of a node that has never run.</summary>
    public bool IsEmpty => this == Empty;
}
