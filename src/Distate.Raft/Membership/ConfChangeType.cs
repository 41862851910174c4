namespace Distate.Raft;

/// <summary>A single-server membership change.</summary>
public enum ConfChangeType : byte
{
    /// <summary>Add a voter, or promote a learner to voter.</summary>
    AddVoter = 0,

    /// <summary>Add a learner (receives the log, does not vote).</summary>
    AddLearner = 1,

    /// <summary>Remove a voter or learner.</summary>
    RemoveNode = 2,
}
