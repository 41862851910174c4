using Distate.Node.Requests;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Errors;

namespace Distate.Server.Compaction;

/// <summary>
/// etcd's auto-compaction (--auto-compaction-mode, --auto-compaction-retention), run by the leader as a replicated
/// compaction proposed like a client's. Every member samples its revision on each check, so a member that becomes leader
/// already knows what it saw a period ago; only the leader proposes.
/// <list type="bullet">
/// <item>Periodic: compact to the revision seen <c>Period</c> ago, checking every tenth of the period and compacting at
/// most once per period (at most hourly), as etcd 3.4's periodic compactor does.</item>
/// <item>Revision: compact to the current revision minus <c>Revisions</c>, checked every
/// <see cref="AutoCompactionPolicy.RevisionCheckInterval"/>.</item>
/// </list>
/// A failed compaction (no quorum, leadership lost) is retried at the next check.
/// </summary>
public sealed class AutoCompactor
{
    private readonly RaftHost _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// Invariant: timestamps ascend; once a period has passed, the first sample is the newest one at least a period old.
    /// Written only by <see cref="RunAsync"/>'s loop.
    private readonly List<(long Timestamp, long Revision)> _samples = [];
    private long _lastCompacted;
    private long _checks;

    /// <summary>Creates the compactor of a node.</summary>
    public AutoCompactor(RaftHost host, TimeProvider time, AutoCompactionPolicy policy, ILogger logger)
    {
        _host = host;
        _time = time;
        _logger = logger;
        Policy = policy;
    }

    /// <summary>The mode and retention in force.</summary>
    public AutoCompactionPolicy Policy { get; }

    /// <summary>Checks completed so far (tests wait on it after advancing a fake clock).</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>Samples and compacts on every check until <paramref name="stop"/> is cancelled; returns at once when off.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (Policy.IsOff)
        {
            return;
        }

        NodeLog.AutoCompactionOn(_logger, Policy, Policy.CheckInterval);
        _lastCompacted = _time.GetTimestamp();
        _samples.Add((_lastCompacted, _host.Store.CurrentRevision.Value));
        using var timer = new PeriodicTimer(Policy.CheckInterval, _time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            await CheckAsync(stop).ConfigureAwait(false);
            Interlocked.Increment(ref _checks);
        }
    }

    private async Task CheckAsync(CancellationToken stop)
    {
        var now = _time.GetTimestamp();
        var target = Policy.Mode == AutoCompactionMode.Periodic ? PeriodicTarget(now) : _host.Store.CurrentRevision.Value - Policy.Revisions;
        if (target <= _host.Store.CompactRevision.Value || _host.Status.Role != StateRole.Leader)
        {
            return;
        }

        if (await TryCompactAsync(target, stop).ConfigureAwait(false))
        {
            _lastCompacted = now;
        }
    }

    /// <summary>Records this check's revision and returns the revision seen a period ago, or 0 when no compaction is due.</summary>
    private long PeriodicTarget(long now)
    {
        _samples.Add((now, _host.Store.CurrentRevision.Value));
        while (_samples.Count >= 2 && _time.GetElapsedTime(_samples[1].Timestamp, now) >= Policy.Period)
        {
            _samples.RemoveAt(0);
        }

        Distate.Raft.Invariant.Check(_samples.Count <= 64 * 1024, "samples are dropped once a period old");
        var oldest = _samples[0];
        var due = _time.GetElapsedTime(_lastCompacted, now) >= Policy.CompactionInterval
            && _time.GetElapsedTime(oldest.Timestamp, now) >= Policy.Period;
        return due ? oldest.Revision : 0;
    }

    /// <summary>Proposes the compaction; true when it applied (or someone compacted at least as far already).</summary>
    private async Task<bool> TryCompactAsync(long target, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_host.Options.RequestTimeoutMs);
        try
        {
            var result = await _host.ProposeHousekeepingAsync(new CompactCommand(new Revision(target)), timeout.Token).ConfigureAwait(false);
            if (result is StoreError { Code: not StoreErrorCode.Compacted } error)
            {
                return Failed(target, error.Message);
            }

            _host.Metrics.AutoCompactions.Increment();
            NodeLog.AutoCompacted(_logger, Policy, target, _host.Store.UsedBytes);
            return true;
        }
        catch (RequestFailedException ex)
        {
            return Failed(target, ex.Message);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return Failed(target, "no quorum within the request timeout");
        }
    }

    private bool Failed(long target, string reason)
    {
        _host.Metrics.AutoCompactionFailures.Increment();
        NodeLog.AutoCompactionFailed(_logger, target, reason);
        return false;
    }
}
