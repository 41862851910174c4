using System.Diagnostics.CodeAnalysis;
using Distate.Node;
using Distate.Node.Apply;
using Distate.Node.Driver;
using Distate.Node.Envelope;
using Distate.Node.Requests;
using Distate.Node.Runtime;
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
/// A member's node: the production <see cref="NodeRuntime"/> (the node driver's Ready loop, the apply task, the ticker
/// and the snapshot writer; src/Distate.Node) wired to FASTER storage (<see cref="DurableLog"/>), the peer transport
/// and the member's state machine (<see cref="ServerStateMachine"/>: the MVCC store and the member directory), plus the
/// member's own background work (lease expiry, publish, watch progress, disk watch). Clients talk to it through
/// <see cref="ProposeAsync"/> and <see cref="ReadBarrierAsync"/>, which check at the door and then only enqueue and await.
/// Who writes what: the runtime's loop owns Raft; its apply task is the only writer of <see cref="Store"/> and
/// <see cref="Members"/>; the host's fields are written once, in <see cref="StartAsync"/>.
/// </summary>
public sealed partial class RaftHost : IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly DurableLog _storage;
    private readonly ILogger _logger;
    /// <summary>Distate's own engine; the host feeds it peer messages and transport reports.</summary>
    private readonly NodeRuntime _runtime;

    /// <summary>The consensus seam every request goes through (the same object as <see cref="_runtime"/>).</summary>
    [SuppressMessage("Performance", "CA1859", Justification = "The consensus seam: a second engine implements IConsensus (issue 15).")]
    private readonly IConsensus _consensus;
    private readonly CancellationTokenSource _stop = new();
    private Task _background = Task.CompletedTask;

    private RaftHost(ServerOptions options, ServerLimits limits, DurableLog storage, NodeId id, ulong clusterId, ILogger logger, NodeSeams seams)
    {
        _options = options;
        _storage = storage;
        _logger = logger;
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
        var driverOptions = new NodeDriverOptions
        {
            MaxProposalSliceBytes = limits.MaxAppendBytes,
            SnapshotEveryEntries = options.SnapshotCount,
            // Keep some entries behind a snapshot so slightly lagging followers catch up without one.
            EntriesKeptBehindSnapshot = options.SnapshotCount / 2,
            HandOffEveryTicks = options.ElectionTimeoutTicks,
            // Long enough for an election and the new leader's first commit (which decides unanswered forwards); only a
            // forward lost with no leader change waits this long.
            ForwardTimeoutTicks = 4 * options.ElectionTimeoutTicks,
        };
        var latest = storage.LatestSnapshot();
        ServerStateMachine.Restore(latest, Members, Store);
        var observer = new HostObserver(Metrics, Leases, logger);
        var driver = new NodeDriver(raftOptions, storage, new Outbox(this), driverOptions, TimeProvider.System, observer);
        var applier = new Applier(new ServerStateMachine(Store, Members, seams, WatchSpace), latest.Metadata.Index, driver.Config, driverOptions, TimeProvider.System, observer, driver.Forwarded);
        _runtime = new NodeRuntime(driver, applier, storage, new NodeRuntimeOptions { TickInterval = TimeSpan.FromMilliseconds(options.HeartbeatIntervalMs) }, TimeProvider.System)
        {
            OnFatal = (where, cause) => NodeLog.Fatal(logger, cause, where),
        };
        _consensus = _runtime;
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
    public string? FatalError => _consensus.FatalError;

    /// <summary>Completes with the failure when the node fails for good; the process should then exit non-zero.</summary>
    public Task<NodeFailedException> Failed => _consensus.Failed;

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
    public RaftStatus Status => _consensus.Status;

    /// <summary>The highest log index applied to the store (any thread).</summary>
    public LogIndex AppliedIndex => _consensus.AppliedIndex;

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
        DataDirectory.CheckOrInitialise(options.DataDir);
        var storageOptions = new StorageOptions
        {
            Directory = Path.Combine(options.DataDir, "raft"), MaxEntryBytes = limits.MaxEntryBytes, MaxSnapshotBytes = limits.MaxSnapshotBytes,
            PageSizeBits = limits.LogPageSizeBits, MemorySizeBits = limits.LogMemorySizeBits, DeviceFactory = seams.LogDevice,
        };
        var storage = DurableLog.Open(storageOptions, options.DiskReserveBytes, logger, seams.AvailableDiskBytes);
        await FoundIfNewAsync(options, storage, cancellationToken).ConfigureAwait(false);
        var host = new RaftHost(options, limits, storage, id, MemberIds.ForCluster(options.InitialClusterToken), logger, seams);
        host.StartTransport();
        host._background = host.RunCritical("background work", host.RunBackgroundAsync);
        try
        {
            // Returns once the runtime has applied what was committed (and a lone voter leads), so status is meaningful.
            await host._consensus.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
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

        // Encoded once, straight into its log entry: the envelope header first, then the command.
        var entry = CommandCodec.Encode(command, EntryEnvelope.HeaderBytes);
        if (entry.Length - EntryEnvelope.HeaderBytes > Limits.MaxRequestBytes)
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

        return ProposeEntryAsync(entry, cancellationToken);
    }

    /// <summary>Replicates the member's own housekeeping (lease expiry and checkpoints, compaction): no door, and
    /// accepted while the disk is full, since these writes are small and free space or keep leases honest.</summary>
    public Task<StoreResult> ProposeHousekeepingAsync(StoreCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ProposeEntryAsync(CommandCodec.Encode(command, EntryEnvelope.HeaderBytes), cancellationToken);
    }

    /// <summary>Replicates a member's publish (name and client URLs); completes once applied here.</summary>
    public Task ProposePublishAsync(byte[] publish, CancellationToken cancellationToken) =>
        _consensus.ProposeAsync(new EntryEnvelope(EntryKind.MemberPublish, Id, 0, publish).Encode(), cancellationToken);

    /// <summary>Replicates a store command encoded after room for its envelope header (filled here).</summary>
    private async Task<StoreResult> ProposeEntryAsync(byte[] entry, CancellationToken cancellationToken)
    {
        EntryEnvelope.WriteHeader(entry, EntryKind.StoreCommand, Id, 0);
        var (_, result) = await _consensus.ProposeAsync(entry, cancellationToken).ConfigureAwait(false);
        return result as StoreResult ?? throw new InvalidOperationException("a store command produced no store result");
    }

    /// <summary>Proposes a membership change; completes once it is applied here (and so in effect).</summary>
    public Task ProposeConfChangeAsync(ConfChange change, CancellationToken cancellationToken) =>
        _consensus.ProposeConfChangeAsync(change, cancellationToken);

    /// <summary>Waits until a linearizable read may be served from <see cref="Store"/> (ReadIndex); retried like a
    /// proposal while an election is under way.</summary>
    public Task ReadBarrierAsync(CancellationToken cancellationToken)
    {
        var status = Status;
        if (ReadOnlyReason is { } readOnly && status.Role != StateRole.Leader && status.Leader.IsSome)
        {
            // A follower with a full disk takes no new entries: a read index from the leader may lie beyond everything
            // it will apply, so say so at once rather than time out.
            throw new RequestFailedException(new RequestFailure(DroppedReason.NotLeader, status.Leader,
                $"{readOnly}; as a follower with a full disk this member no longer takes new entries from the leader, so it " +
                "cannot answer linearizable reads: read from another member, or ask for a serializable read", Indeterminate: true));
        }

        return _consensus.ReadBarrierAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await StopTransportAsync().ConfigureAwait(false);
        try
        {
            await _background.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await _consensus.DisposeAsync().ConfigureAwait(false);
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
}
