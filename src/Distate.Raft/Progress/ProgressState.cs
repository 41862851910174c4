namespace Distate.Raft.Progress;

/// <summary>How the leader is currently replicating to one follower.</summary>
public enum ProgressState : byte
{
    /// <summary>Next is uncertain: send one append at a time until one is accepted.</summary>
    Probe = 0,

    /// <summary>The follower keeps up: pipeline appends within the in-flight window.</summary>
    Replicate = 1,

    /// <summary>The follower needs a snapshot; wait until it is installed.</summary>
    Snapshot = 2,
}
