using Distate.Raft;

namespace Distate.Node.Seams;

/// <summary>What the driver reports as it goes: metrics in production, safety checks in the simulator. Every method
/// has an empty default; they run on the driver's or the apply task's thread and must not block.</summary>
public interface INodeObserver
{
    /// <summary>A Ready was taken from Raft (before it is handled).</summary>
    void OnReady(Ready ready)
    {
    }

    /// <summary>The leader or this member's role changed.</summary>
    void OnSoftState(SoftState soft)
    {
    }

    /// <summary>A Ready's log writes became durable after <paramref name="duration"/>.</summary>
    void OnPersisted(TimeSpan duration)
    {
    }

    /// <summary>A committed entry was applied (apply task).</summary>
    void OnApplied(Entry entry)
    {
    }

    /// <summary>A membership change took effect in Raft (driver thread).</summary>
    void OnConfChange(LogIndex index, ConfChange change, ConfState after)
    {
    }

    /// <summary>A batch of committed entries was applied in <paramref name="duration"/> (apply task).</summary>
    void OnBatchApplied(TimeSpan duration)
    {
    }

    /// <summary>A snapshot from the leader was installed (apply task).</summary>
    void OnSnapshotInstalled()
    {
    }

    /// <summary>A proposal of this member was applied, <paramref name="latency"/> after it was proposed.</summary>
    void OnProposalCommitted(TimeSpan latency)
    {
    }

    /// <summary>This follower forwarded <paramref name="count"/> proposals to the leader in one message.</summary>
    void OnProposalsForwarded(int count)
    {
    }

    /// <summary>A proposal of this member failed.</summary>
    void OnProposalFailed()
    {
    }

    /// <summary>A linearizable read was released, <paramref name="latency"/> after it was asked.</summary>
    void OnReadReleased(TimeSpan latency)
    {
    }

    /// <summary>The driver asked Raft to hand leadership to <paramref name="target"/> (this leader's disk is full).</summary>
    void OnLeadershipHandOff(NodeId target)
    {
    }
}

/// <summary>An observer that observes nothing.</summary>
public sealed class NullNodeObserver : INodeObserver
{
    /// <summary>The one instance.</summary>
    public static readonly NullNodeObserver Instance = new();
}
