using Distate.Raft.Progress;

namespace Distate.Raft;

/// <summary>The leader's view of one member, as reported in <see cref="RaftStatus"/>.</summary>
/// <param name="Match">Highest index known persisted there.</param>
/// <param name="Next">Next index to send.</param>
/// <param name="State">Replication mode.</param>
/// <param name="RecentActive">Heard from within the current election timeout.</param>
/// <param name="IsLearner">True for a non-voting member.</param>
public readonly record struct PeerProgress(LogIndex Match, LogIndex Next, ProgressState State, bool RecentActive, bool IsLearner);
