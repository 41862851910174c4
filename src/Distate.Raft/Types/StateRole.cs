namespace Distate.Raft;

/// <summary>The role a node currently plays.</summary>
public enum StateRole : byte
{
    /// <summary>Follows a leader (or waits for one).</summary>
    Follower = 0,

    /// <summary>Asking for pre-votes before starting a real election.</summary>
    PreCandidate = 1,

    /// <summary>Running an election.</summary>
    Candidate = 2,

    /// <summary>Leads the cluster for its term.</summary>
    Leader = 3,
}
