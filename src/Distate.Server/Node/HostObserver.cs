using Distate.Node.Seams;
using Distate.Raft;
using Distate.Server.Leases;

namespace Distate.Server.Node;

/// <summary>Turns the driver's reports into /metrics, lease keeping and log lines. Runs on the loop or the apply task;
/// counters and histograms are thread-safe, and the last leader is written by the loop only.</summary>
internal sealed class HostObserver(NodeMetrics metrics, LeaseKeeper leases, ILogger logger) : INodeObserver
{
    private NodeId _lastLeader = NodeId.None;

    public void OnSoftState(SoftState soft)
    {
        if (soft.Leader != _lastLeader)
        {
            _lastLeader = soft.Leader;
            metrics.LeaderChanges.Increment();
        }

        leases.SetLeading(soft.Role == StateRole.Leader);
    }

    public void OnPersisted(TimeSpan duration) => metrics.FsyncSeconds.Observe(duration.TotalSeconds);

    public void OnBatchApplied(TimeSpan duration) => metrics.ApplySeconds.Observe(duration.TotalSeconds);

    public void OnSnapshotInstalled() => metrics.SnapshotsInstalled.Increment();

    public void OnProposalCommitted(TimeSpan latency)
    {
        metrics.ProposalsCommitted.Increment();
        metrics.CommitSeconds.Observe(latency.TotalSeconds);
    }

    public void OnProposalFailed() => metrics.ProposalsFailed.Increment();

    public void OnProposalsForwarded(int count) => metrics.ForwardedRequests.Add(count);

    public void OnReadReleased(TimeSpan latency) => metrics.ReadIndexSeconds.Observe(latency.TotalSeconds);

    public void OnLeadershipHandOff(NodeId target) => NodeLog.HandOff(logger, target.Value);
}
