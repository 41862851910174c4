namespace Distate.Raft;

/// <summary>Volatile state the host may display or route by; never needs persisting.</summary>
/// <param name="Leader">The leader this node knows of, or None.</param>
/// <param name="Role">This node's role.</param>
public readonly record struct SoftState(NodeId Leader, StateRole Role);
