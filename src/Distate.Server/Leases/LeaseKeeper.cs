using Distate.Node.Requests;
using Distate.Raft;
using Distate.Server.Node;
using Distate.Store;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Leases;

/// <summary>
/// The leader's lease clock. The store replicates leases and their checkpointed remaining TTL but never reads a
/// clock; this keeper, on the leader only, holds a deadline per lease, renews it on keep-alive, proposes a revoke
/// when it passes, and checkpoints remaining TTLs so a new leader continues each countdown instead of restarting it.
/// Followers hold no deadlines: keep-alive and time-to-live are forwarded to the leader.
/// </summary>
public sealed class LeaseKeeper
{
    /// <summary>How often the leader looks for expired leases.</summary>
    public static readonly TimeSpan ScanInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the leader records remaining TTLs in the log.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(5);

    private const int MaxRevokesInFlight = 512;
    private const int MaxCheckpointsPerCommand = 1000;
    private readonly RaftHost _host;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    /// Invariant: empty unless this member leads. Deadlines are TimeProvider timestamps.
    private readonly Dictionary<LeaseId, long> _deadlines = [];
    private readonly HashSet<LeaseId> _revoking = [];
    private bool _leading;
    private long _lastCheckpoint;

    /// <summary>Creates the keeper for a node.</summary>
    public LeaseKeeper(RaftHost host, TimeProvider time)
    {
        _host = host;
        _time = time;
        _lastCheckpoint = time.GetTimestamp();
    }

    /// <summary>Shortest TTL granted: leases must outlive an election (1.5 election timeouts, rounded up, as in etcd)
    /// and the store's own minimum.</summary>
    public long MinTtlSeconds =>
        Math.Max(_host.Store.Settings.MinLeaseTtlSeconds, (long)Math.Ceiling(1.5 * _host.Options.ElectionTimeoutMs / 1000.0));

    /// <summary>Leases this member currently keeps a deadline for (zero on followers).</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _deadlines.Count;
            }
        }
    }

    /// <summary>Called by the node loop when this member gains or loses leadership; deadlines restart from checkpoints.</summary>
    public void SetLeading(bool leading)
    {
        lock (_gate)
        {
            _leading = leading;
            _deadlines.Clear();
            _revoking.Clear();
        }
    }

    /// <summary>Runs the expiry scan until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ScanInterval, _time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            Scan();
        }
    }

    /// <summary>Renews a lease on the leader; returns its TTL, or 0 when no such lease exists (etcd's answer).</summary>
    public async Task<long> KeepAliveAsync(LeaseId id, CancellationToken cancellationToken)
    {
        var info = _host.Store.LeaseTimeToLive(id, withKeys: false);
        lock (_gate)
        {
            if (!_leading)
            {
                throw new RequestFailedException(new RequestFailure(DroppedReason.NotLeader, _host.Status.Leader, RequestFailure.Describe(DroppedReason.NotLeader)));
            }

            if (info is null || (_deadlines.TryGetValue(id, out var deadline) && deadline <= _time.GetTimestamp()))
            {
                return 0;
            }

            _deadlines[id] = DeadlineAfter(info.GrantedTtlSeconds);
        }

        // The log still says the lease had less time left: record the renewal, or a new leader elected now would
        // resume the old countdown and expire a lease its client just kept alive.
        if (info.RemainingTtlSeconds < info.GrantedTtlSeconds)
        {
            var renewal = new LeaseCheckpointCommand([new LeaseCheckpoint(id, info.GrantedTtlSeconds)]);
            await _host.ProposeHousekeepingAsync(renewal, cancellationToken).ConfigureAwait(false);
        }

        return info.GrantedTtlSeconds;
    }

    /// <summary>Seconds left on a lease: the leader's live countdown, else the last checkpoint.</summary>
    public long RemainingSeconds(LeaseInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            if (_leading && _deadlines.TryGetValue(info.Id, out var deadline))
            {
                return SecondsUntil(deadline);
            }
        }

        return info.RemainingTtlSeconds;
    }

    private void Scan()
    {
        List<LeaseId> expired = [];
        List<LeaseCheckpoint> checkpoints = [];
        lock (_gate)
        {
            if (!_leading)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var leases = _host.Store.LeaseList();
            var live = new HashSet<LeaseId>();
            var checkpointDue = _time.GetElapsedTime(_lastCheckpoint) >= CheckpointInterval;
            foreach (var lease in leases)
            {
                live.Add(lease.Id);
                if (!_deadlines.TryGetValue(lease.Id, out var deadline))
                {
                    // First sight (new grant, or leadership just gained): continue from the checkpointed remaining TTL.
                    deadline = DeadlineAfter(lease.RemainingTtlSeconds);
                    _deadlines[lease.Id] = deadline;
                }

                if (deadline <= now && _revoking.Count < MaxRevokesInFlight && _revoking.Add(lease.Id))
                {
                    expired.Add(lease.Id);
                }
                else if (checkpointDue && checkpoints.Count < MaxCheckpointsPerCommand
                    && lease.RemainingTtlSeconds - SecondsUntil(deadline) >= CheckpointInterval.TotalSeconds)
                {
                    checkpoints.Add(new LeaseCheckpoint(lease.Id, SecondsUntil(deadline)));
                }
            }

            foreach (var gone in _deadlines.Keys.Where(id => !live.Contains(id)).ToArray())
            {
                _deadlines.Remove(gone);
                _revoking.Remove(gone);
            }

            if (checkpointDue)
            {
                _lastCheckpoint = now;
            }
        }

        foreach (var id in expired)
        {
            _ = RevokeAsync(id);
        }

        if (checkpoints.Count > 0)
        {
            _ = ProposeQuietlyAsync(new LeaseCheckpointCommand(checkpoints));
        }
    }

    private async Task RevokeAsync(LeaseId id)
    {
        await ProposeQuietlyAsync(new LeaseRevokeCommand(id)).ConfigureAwait(false);
        lock (_gate)
        {
            // Revoked, refused or timed out: either way the next scan decides again (a still-live lease is retried).
            _revoking.Remove(id);
        }
    }

    /// <summary>Proposes a lease housekeeping command; failures (leadership lost, timeout) are retried by later scans.</summary>
    private async Task ProposeQuietlyAsync(StoreCommand command)
    {
        using var timeout = new CancellationTokenSource(_host.Options.RequestTimeoutMs);
        try
        {
            await _host.ProposeHousekeepingAsync(command, timeout.Token).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Not leader any more or no quorum: the new leader's keeper takes over.
        }
        catch (OperationCanceledException)
        {
            // No quorum within the request timeout: the next scan proposes again.
        }
    }

    private long DeadlineAfter(long seconds) => _time.GetTimestamp() + (long)(seconds * _time.TimestampFrequency);

    private long SecondsUntil(long deadline)
    {
        var left = deadline - _time.GetTimestamp();
        return left <= 0 ? 0 : (long)Math.Ceiling(left / (double)_time.TimestampFrequency);
    }
}
