using Distate.Server.Metrics;

namespace Distate.Server.Node;

/// <summary>The node's counters and latency histograms, exported at /metrics (gauges are read from status when scraped).</summary>
public sealed class NodeMetrics
{
    /// <summary>Times this member saw the leader change (including to "none").</summary>
    public Counter LeaderChanges { get; } = new();

    /// <summary>Proposals from this member that committed and applied.</summary>
    public Counter ProposalsCommitted { get; } = new();

    /// <summary>Proposals from this member that were refused or lost to a leader change.</summary>
    public Counter ProposalsFailed { get; } = new();

    /// <summary>Client requests forwarded to the leader.</summary>
    public Counter ForwardedRequests { get; } = new();

    /// <summary>Snapshots received from the leader and installed (this member was too far behind for the log).</summary>
    public Counter SnapshotsInstalled { get; } = new();

    /// <summary>Compactions this member proposed as leader for auto-compaction and saw applied.</summary>
    public Counter AutoCompactions { get; } = new();

    /// <summary>Auto-compactions that failed (no quorum, leadership lost) and wait for the next check.</summary>
    public Counter AutoCompactionFailures { get; } = new();

    /// <summary>Client writes this member refused with "database space exceeded" (at its door, on its view of the quota and alarms).</summary>
    public Counter NoSpaceRefusals { get; } = new();

    /// <summary>Durable log writes (one per Ready): entries and hard state.</summary>
    public Histogram FsyncSeconds { get; } = new();

    /// <summary>From proposal to applied, for this member's proposals.</summary>
    public Histogram CommitSeconds { get; } = new();

    /// <summary>Applying one batch of committed entries to the store and member directory (on the apply task).</summary>
    public Histogram ApplySeconds { get; } = new();

    /// <summary>From read request to confirmed read index.</summary>
    public Histogram ReadIndexSeconds { get; } = new();
}
