using System.Threading.Channels;
using Distate.Raft;
using Distate.Server.Compaction;
using Distate.Server.Configuration;
using Distate.Server.Forwarding;
using Distate.Server.Leases;
using Distate.Server.Members;
using Distate.Storage;
using Distate.Store;
using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>
/// The node: one loop owns the Raft state and follows the contract of src/Distate.Raft/README.md line by line
/// (persist, send, apply, advance), where "apply" hands committed entries to the apply task (RaftHost.Apply.cs), the
/// only writer of the store. Clients talk to it through <see cref="ProposeAsync"/> and
/// <see cref="ReadBarrierAsync"/>, which only enqueue into a bounded channel and await completion.
/// </summary>
public sealed partial class RaftHost : IAsyncDisposable
{
    private const int InputCapacity = 16_384;
    private const int MaxInputsPerBatch = 4096;
    private readonly ServerOptions _options;
    private readonly DurableLog _storage;
    private readonly ILogger _logger;
    private readonly NodeSeams _seams;
    private readonly Channel<NodeInput> _inputs = Channel.CreateBounded<NodeInput>(
        new BoundedChannelOptions(InputCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<LogIndex, PendingProposal> _proposals = [];
    /// <summary>Older proposals whose index a later proposal of this member reused (see AddProposal); usually empty.</summary>
    private readonly List<(LogIndex Index, PendingProposal Proposal)> _displacedProposals = [];
    private readonly Dictionary<ulong, PendingRead> _reads = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly RaftNode _raft;
    private ConfState _confState;
    private ulong _nextReadId = 1;
    private Task _loop = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private Task _background = Task.CompletedTask;
    private int _tickQueued;
    private volatile RaftStatus _status;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RaftHost(ServerOptions options, ServerLimits limits, DurableLog storage, NodeId id, ulong clusterId, ILogger logger, NodeSeams seams)
    {
        _options = options;
        _storage = storage;
        _logger = logger;
        _seams = seams;
        Limits = limits;
        Store = new KvStore(limits.Store);
        Id = id;
        ClusterId = clusterId;
        Members.Changed += _ => SyncPeers();
        var time = seams.Time ?? TimeProvider.System;
        Leases = new LeaseKeeper(this, time);
        Compactor = new AutoCompactor(this, time, options.AutoCompaction, logger);
        Forwarder = new LeaderForwarder(this);
        var raftOptions = new RaftOptions
        {
            Id = id, ElectionTimeoutTicks = options.ElectionTimeoutTicks, HeartbeatIntervalTicks = 1,
            RandomSeed = (ulong)Environment.TickCount64 ^ id.Value,
            MaxAppendBytes = limits.MaxAppendBytes, MaxUncommittedBytes = limits.MaxUncommittedBytes,
        };
        var latest = storage.LatestSnapshot();
        RestoreFromSnapshot(latest);
        _raft = new RaftNode(raftOptions, storage);
        _confState = _raft.Config;
        _appliedConfState = _raft.Config;
        _snapshotRequestedAt = latest.Metadata.Index;
        _lastSnapshotBytes = latest.Data.Length;
        _appliedIndex = (long)_snapshotRequestedAt.Value;
        _status = _raft.Status();
    }

    /// <summary>This member's id.</summary>
    public NodeId Id { get; }

    /// <summary>The cluster's id.</summary>
    public ulong ClusterId { get; }

    /// <summary>The settings this member runs with.</summary>
    public ServerOptions Options => _options;

    /// <summary>Every size limit, derived from --max-request-bytes and the quota.</summary>
    public ServerLimits Limits { get; }

    /// <summary>The first index still in the log (entries before it live only in the latest snapshot); tests use it to
    /// make sure a restart goes through a snapshot.</summary>
    internal LogIndex LogFirstIndex => _storage.FirstIndex();

    /// <summary>Why this member refuses client writes for now (its disk is full); null while it accepts them.</summary>
    public string? ReadOnlyReason => _storage.ReadOnlyReason;

    /// <summary>Why this member stopped for good (a loop, the apply task or storage failed); null while it runs.</summary>
    public string? FatalError => Volatile.Read(ref _fatal)?.Message;

    /// <summary>Completes with the failure when the node fails for good; the process should then exit non-zero.</summary>
    public Task<NodeFailedException> Failed => _failed.Task;

    /// <summary>The replicated member list (names, peer and client URLs).</summary>
    public MemberDirectory Members { get; } = new();

    /// <summary>Lease deadlines, kept by the leader.</summary>
    public LeaseKeeper Leases { get; }

    /// <summary>Auto-compaction (--auto-compaction-mode/-retention): samples on every member, compacts as leader.</summary>
    public AutoCompactor Compactor { get; }

    /// <summary>Sends leader-only requests that reach this member to the leader.</summary>
    public LeaderForwarder Forwarder { get; }

    /// <summary>Counters and histograms for /metrics.</summary>
    public NodeMetrics Metrics { get; } = new();

    /// <summary>The replicated state machine (read it only after a read barrier or for serializable reads).</summary>
    public KvStore Store { get; }

    /// <summary>The latest Raft status, refreshed by the loop after every batch (safe to read from any thread).</summary>
    public RaftStatus Status => _status;

    /// <summary>How far apply may trail the commit index while this member still reports itself ready.</summary>
    public const ulong ReadyMaxApplyLag = 1_000;

    /// <summary>Why this member should not take client traffic now (no leader, or apply far behind commit); null when ready.</summary>
    public string? NotReadyReason
    {
        get
        {
            if (FatalError is { } fatal)
            {
                return fatal;
            }

            if (ReadOnlyReason is { } readOnly)
            {
                return readOnly;
            }

            var status = Status;
            if (!status.Leader.IsSome)
            {
                return "no leader: an election is under way or this member cannot reach a quorum";
            }

            var behind = status.Commit.Value - Math.Min(status.Commit.Value, AppliedIndex.Value);
            return behind > ReadyMaxApplyLag ? $"catching up: {behind} committed entries not applied yet" : null;
        }
    }

    /// <summary>Opens storage (founding the cluster on first start) and starts the loop and the ticker.</summary>
    public static async Task<RaftHost> StartAsync(ServerOptions options, ILogger logger, NodeSeams seams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(seams);
        var limits = ServerLimits.From(options);
        var id = MemberIds.ForPeerUrl(options.InitialCluster[options.Name]);
        Directory.CreateDirectory(options.DataDir);
        var storageOptions = new StorageOptions
        {
            Directory = Path.Combine(options.DataDir, "raft"), MaxEntryBytes = limits.MaxEntryBytes, MaxSnapshotBytes = limits.MaxSnapshotBytes,
            PageSizeBits = limits.LogPageSizeBits, MemorySizeBits = limits.LogMemorySizeBits, DeviceFactory = seams.LogDevice,
        };
        var storage = DurableLog.Open(storageOptions, options.DiskReserveBytes, logger, seams.AvailableDiskBytes);
        await FoundIfNewAsync(options, storage, cancellationToken).ConfigureAwait(false);
        var host = new RaftHost(options, limits, storage, id, MemberIds.ForCluster(options.InitialClusterToken), logger, seams);
        host.StartTransport();
        host._applier = host.RunCritical("apply task", host.RunApplierAsync);
        host._loop = host.RunCritical("node loop", host.RunLoopAsync);
        host._ticker = host.RunCritical("ticker", host.RunTickerAsync);
        host._background = host.RunCritical("background work", host.RunBackgroundAsync);
        // Return once the loop has applied what was committed (and a lone voter leads), so status is meaningful.
        await Task.WhenAny(host._started.Task, host._failed.Task).ConfigureAwait(false);
        if (host._failed.Task.IsCompleted)
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw host._failed.Task.Result;
        }

        return host;
    }

    /// <summary>
    /// The door for a client's store command: checks it completely — as apply will (empty key, sizes, txn shape), against
    /// --max-request-bytes, and against the space quota and NOSPACE alarm on this member's view (raising the alarm when
    /// the quota would be passed) — and refuses it with a <see cref="StoreError"/> before anything is proposed; throws
    /// <see cref="WritesRefusedException"/> while this member's disk is full. Otherwise replicates it and returns the
    /// store's result once it is applied here.
    /// </summary>
    public Task<StoreResult> ProposeAsync(StoreCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Store.Validate(command) is { } refused)
        {
            return Task.FromResult<StoreResult>(StoreError.Create(Store.CurrentRevision, refused));
        }

        var data = CommandCodec.Encode(command);
        if (data.Length > Limits.MaxRequestBytes)
        {
            return Task.FromResult<StoreResult>(StoreError.Create(Store.CurrentRevision, StoreErrorCode.RequestTooLarge));
        }

        if (ReadOnlyReason is { } readOnly)
        {
            throw new WritesRefusedException("etcdserver: " + readOnly);
        }

        if (Store.CheckSpace(command, out var exceedsQuota) is not null)
        {
            return RefuseForSpaceAsync(exceedsQuota, cancellationToken);
        }

        return ProposeEncodedAsync(data, cancellationToken);
    }

    /// <summary>Replicates the member's own housekeeping (lease expiry and checkpoints, compaction): no door, and
    /// accepted while the disk is full, since these writes are small and free space or keep leases honest.</summary>
    public Task<StoreResult> ProposeHousekeepingAsync(StoreCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ProposeEncodedAsync(CommandCodec.Encode(command), cancellationToken);
    }

    private async Task<StoreResult> ProposeEncodedAsync(byte[] data, CancellationToken cancellationToken)
    {
        var result = await ProposeEntryAsync(data, cancellationToken).ConfigureAwait(false);
        return result ?? throw new InvalidOperationException("a store command produced no store result");
    }

    /// <summary>Replicates raw entry data (a store command or publish entry); completes once applied here. Refusals
    /// that mean "not applied, try again soon" (no leader yet, new leader not ready) are retried until the deadline.</summary>
    public Task<StoreResult?> ProposeEntryAsync(byte[] data, CancellationToken cancellationToken) =>
        RetryTransientAsync(async () =>
        {
            var completion = new TaskCompletionSource<StoreResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
            await WriteInputAsync(new NodeInput.Proposal(data, completion), cancellationToken).ConfigureAwait(false);
            return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Proposes a membership change; completes once it is applied here (and so in effect).</summary>
    public async Task ProposeConfChangeAsync(ConfChange change, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<StoreResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteInputAsync(new NodeInput.ConfChangeProposal(change, completion), cancellationToken).ConfigureAwait(false);
        await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until a linearizable read may be served from <see cref="Store"/> (ReadIndex); retried like a
    /// proposal while an election is under way.</summary>
    public Task ReadBarrierAsync(CancellationToken cancellationToken)
    {
        var status = Status;
        if (ReadOnlyReason is { } readOnly && status.Role != StateRole.Leader && status.Leader.IsSome)
        {
            // A follower with a full disk takes no new entries (RefusedWhileReadOnly): a read index from the leader may
            // lie beyond everything it will apply, so say so at once rather than time out.
            throw new ProposalFailedException(DroppedReason.NotLeader, status.Leader,
                $"{readOnly}; as a follower with a full disk this member no longer takes new entries from the leader, so it " +
                "cannot answer linearizable reads: read from another member, or ask for a serializable read") { Indeterminate = true };
        }

        return ReadBarrierCoreAsync(cancellationToken);
    }

    private Task<StoreResult?> ReadBarrierCoreAsync(CancellationToken cancellationToken) =>
        RetryTransientAsync(async () =>
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await WriteInputAsync(new NodeInput.ReadBarrier(completion), cancellationToken).ConfigureAwait(false);
            await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return (StoreResult?)null;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="attempt"/> again, with a short backoff, while it fails for a reason that means the request was
    /// certainly not applied and a leader may soon exist; when the deadline passes, the last refusal is what the
    /// client sees (so a minority member still answers 503 within the request timeout, never hangs).
    /// </summary>
    private async Task<StoreResult?> RetryTransientAsync(Func<Task<StoreResult?>> attempt, CancellationToken cancellationToken)
    {
        var delay = Backoff.First;
        while (true)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (ProposalFailedException ex) when (IsTransient(ex.Reason) && !ex.Indeterminate && !_stop.IsCancellationRequested)
            {
                if (!await Backoff.WaitAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                delay = Backoff.Next(delay);
            }
        }
    }

    private static bool IsTransient(DroppedReason reason) =>
        reason is DroppedReason.NoLeader or DroppedReason.LeaderNotReady or DroppedReason.TransferInProgress or DroppedReason.LeadershipLost;


    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await StopTransportAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loop, _ticker, _background, _applier, _snapshotWriter).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop and ticker end by cancellation.
        }

        var stopping = new ProposalFailedException(DroppedReason.NoLeader, NodeId.None, "the node is shutting down") { Indeterminate = true };
        FailAll(stopping);
        FailUnapplied(stopping);
        FailQueuedInputs(stopping);
        await _storage.DisposeAsync().ConfigureAwait(false);
        Forwarder.Dispose();
        Store.Dispose();
        _stop.Dispose();
    }

    private static async Task FoundIfNewAsync(ServerOptions options, DurableLog storage, CancellationToken cancellationToken)
    {
        if (storage.LastIndex() > LogIndex.Zero || !storage.HardState.IsEmpty || options.InitialClusterState != "new")
        {
            return;
        }

        // Every founder writes the same AddVoter entries (term 1, ordered by id, each naming the member and its peer
        // URL), so members added later learn the founding membership by replaying the log from index 1.
        var founders = options.InitialCluster
            .Select(pair => (Id: MemberIds.ForPeerUrl(pair.Value), Context: new MemberContext(pair.Key, [pair.Value])))
            .OrderBy(founder => founder.Id.Value)
            .ToArray();
        var entries = new Entry[founders.Length];
        for (var i = 0; i < founders.Length; i++)
        {
            var change = new ConfChange(ConfChangeType.AddVoter, founders[i].Id, MemberCodec.EncodeContext(founders[i].Context));
            entries[i] = new Entry(new LogIndex((ulong)i + 1), new Term(1), EntryType.ConfChange, change.Encode());
        }

        await storage.PersistAsync(new HardState(new Term(1), NodeId.None, entries[^1].Index), entries, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.HeartbeatIntervalMs));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            // At most one tick waits in the queue. Were ticks to pile up while the loop is busy (a slow fsync, a burst
            // of writes), the loop would then run them back to back: a follower would time out its leader in one
            // go although the leader's heartbeats are merely queued behind, and depose a healthy leader.
            if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_inputs.Writer.TryWrite(new NodeInput.Tick()))
            {
                Volatile.Write(ref _tickQueued, 0);
            }
        }
    }

    private void RestoreFromSnapshot(Snapshot snapshot)
    {
        if (snapshot.IsEmpty || snapshot.Data.Length == 0)
        {
            return;
        }

        using var stream = new MemoryStream(snapshot.Data.ToArray(), writable: false);
        SnapshotEnvelope.Read(stream, Members, Store);
    }
}
