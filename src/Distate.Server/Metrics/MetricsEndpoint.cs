using System.Globalization;
using System.Text;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Store.Alarms;

namespace Distate.Server.Metrics;

/// <summary>/metrics in the Prometheus text format (0.0.4): Raft position, proposals, latencies, followers, watchers, leases.</summary>
public static class MetricsEndpoint
{
    /// <summary>Maps GET /metrics.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/metrics", (RaftHost host) => Results.Text(Render(host), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary>Renders every metric of <paramref name="host"/>.</summary>
    public static string Render(RaftHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var status = host.Status;
        var metrics = host.Metrics;
        var text = new StringBuilder(4096);
        Gauge(text, "distate_raft_term", "Current Raft term.", status.Term.Value);
        Gauge(text, "distate_is_leader", "1 if this member leads.", status.Role == StateRole.Leader ? 1 : 0);
        Gauge(text, "distate_has_leader", "1 if this member knows a leader.", status.Leader.IsSome ? 1 : 0);
        CounterLine(text, "distate_leader_changes_total", "Leader changes seen by this member.", metrics.LeaderChanges.Value);
        CounterLine(text, "distate_proposals_committed_total", "Proposals from this member committed and applied.", metrics.ProposalsCommitted.Value);
        CounterLine(text, "distate_proposals_failed_total", "Proposals from this member refused or lost.", metrics.ProposalsFailed.Value);
        CounterLine(text, "distate_forwarded_requests_total", "Client requests forwarded to the leader.", metrics.ForwardedRequests.Value);
        CounterLine(text, "distate_snapshots_installed_total", "Snapshots received from the leader and installed.", metrics.SnapshotsInstalled.Value);
        Gauge(text, "distate_commit_index", "Highest log index known committed.", status.Commit.Value);
        Gauge(text, "distate_applied_index", "Highest log index applied to the store.", host.AppliedIndex.Value);
        Gauge(text, "distate_last_index", "Last log index on this member.", status.LastIndex.Value);
        Gauge(text, "distate_store_revision", "Current store revision.", host.Store.CurrentRevision.Value);
        Gauge(text, "distate_store_compact_revision", "Oldest readable store revision.", host.Store.CompactRevision.Value);
        Gauge(text, "distate_store_used_bytes", "Bytes the store charges against the quota (every uncompacted version and lease).", host.Store.UsedBytes);
        Gauge(text, "distate_store_quota_bytes", "The space quota (--quota-backend-bytes).", host.Limits.Store.QuotaBytes);
        Gauge(text, "distate_alarm_nospace", "1 while a NOSPACE alarm is raised (writes that add bytes are refused).",
            host.Store.IsAlarmRaised(AlarmType.NoSpace) ? 1 : 0);
        CounterLine(text, "distate_auto_compactions_total", "Auto-compactions this member proposed as leader and saw applied.", metrics.AutoCompactions.Value);
        CounterLine(text, "distate_auto_compaction_failures_total", "Auto-compactions that failed and wait for the next check.", metrics.AutoCompactionFailures.Value);
        CounterLine(text, "distate_nospace_refusals_total", "Client writes refused at this member's door for lack of space.", metrics.NoSpaceRefusals.Value);
        Gauge(text, "distate_watchers", "Active watchers on this member.", host.Store.WatcherCount);
        Gauge(text, "distate_leases", "Live leases.", host.Store.LeaseList().Count);
        FollowerLines(text, status);
        HistogramLines(text, "distate_fsync_duration_seconds", "Durable log writes (entries and hard state).", metrics.FsyncSeconds);
        HistogramLines(text, "distate_apply_duration_seconds", "Applying one batch of committed entries (off the node loop).", metrics.ApplySeconds);
        HistogramLines(text, "distate_commit_duration_seconds", "From proposal to applied, for this member's proposals.", metrics.CommitSeconds);
        HistogramLines(text, "distate_read_index_duration_seconds", "From linearizable read to confirmed read index.", metrics.ReadIndexSeconds);
        RuntimeLines(text);
        return text.ToString();
    }

    /// <summary>Process memory and the garbage collector: where RSS goes and how long the runtime paused.</summary>
    private static void RuntimeLines(StringBuilder text)
    {
        var gc = GC.GetGCMemoryInfo();
        Gauge(text, "process_resident_memory_bytes", "Resident memory of this process.", Environment.WorkingSet);
        Gauge(text, "dotnet_gc_heap_size_bytes", "Managed heap size after the last collection.", gc.HeapSizeBytes);
        Gauge(text, "dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        Header(text, "dotnet_gc_collections_total", "Garbage collections by generation since start.", "counter");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }

        Gauge(text, "dotnet_gc_pause_seconds_total", "Time the runtime paused threads for collections since start.", GC.GetTotalPauseDuration().TotalSeconds);
    }

    private static void FollowerLines(StringBuilder text, RaftStatus status)
    {
        if (status.Role != StateRole.Leader)
        {
            return;
        }

        Header(text, "distate_follower_match_index", "Highest index known replicated on each follower (leader only).", "gauge");
        foreach (var (peer, progress) in status.Progress)
        {
            if (peer != status.Id)
            {
                text.Append(CultureInfo.InvariantCulture, $"distate_follower_match_index{{member=\"{peer.Value:x}\"}} {progress.Match.Value}\n");
            }
        }

        Header(text, "distate_follower_lag_entries", "Entries each follower is behind the leader's last index (leader only).", "gauge");
        foreach (var (peer, progress) in status.Progress)
        {
            if (peer != status.Id)
            {
                var lag = status.LastIndex.Value - Math.Min(progress.Match.Value, status.LastIndex.Value);
                text.Append(CultureInfo.InvariantCulture, $"distate_follower_lag_entries{{member=\"{peer.Value:x}\"}} {lag}\n");
            }
        }
    }

    private static void HistogramLines(StringBuilder text, string name, string help, Histogram histogram)
    {
        Header(text, name, help, "histogram");
        var counts = histogram.CumulativeCounts();
        for (var i = 0; i < Histogram.Bounds.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{Histogram.Bounds[i]}\"}} {counts[i]}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {counts[^1]}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum {histogram.SumSeconds}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count {counts[^1]}\n");
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, help, "gauge");
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void CounterLine(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help, "counter");
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
}
