using System.Threading.Channels;
using Distate.Raft;
using Distate.Server.Configuration;
using Distate.Storage;
using Distate.Store;
using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>
/// The node: one loop owns the Raft state and follows the contract of src/Distate.Raft/README.md line by line
/// (persist, send, apply, serve reads, advance). Clients talk to it through <see cref="ProposeAsync"/> and
/// <see cref="ReadBarrierAsync"/>, which only enqueue into a bounded channel and await completion.
/// </summary>
public sealed partial class RaftHost : IAsyncDisposable
{
    private const int InputCapacity = 16_384;
    private const int MaxInputsPerBatch = 4096;
    private readonly ServerOptions _options;
    private readonly FasterRaftStorage _storage;
    private readonly Channel<NodeInput> _inputs = Channel.CreateBounded<NodeInput>(
        new BoundedChannelOptions(InputCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<LogIndex, (Term Term, TaskCompletionSource<StoreResult> Completion)> _proposals = [];
    private readonly Dictionary<ulong, TaskCompletionSource> _reads = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly RaftNode _raft;
    private ConfState _confState;
    private ulong _nextReadId = 1;
    private Task _loop = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private volatile RaftStatus _status;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RaftHost(ServerOptions options, FasterRaftStorage storage, KvStore store, NodeId id, ulong clusterId)
    {
        _options = options;
        _storage = storage;
        Store = store;
        Id = id;
        ClusterId = clusterId;
        var raftOptions = new RaftOptions
        {
            Id = id, ElectionTimeoutTicks = options.ElectionTimeoutTicks, HeartbeatIntervalTicks = 1,
            RandomSeed = (ulong)Environment.TickCount64 ^ id.Value,
        };
        RestoreStoreFromSnapshot(storage.LatestSnapshot());
        _raft = new RaftNode(raftOptions, storage);
        _confState = _raft.Config;
        _status = _raft.Status();
    }

    /// <summary>This member's id.</summary>
    public NodeId Id { get; }

    /// <summary>The cluster's id.</summary>
    public ulong ClusterId { get; }

    /// <summary>The replicated state machine (read it only after a read barrier or for serializable reads).</summary>
    public KvStore Store { get; }

    /// <summary>The latest Raft status, refreshed by the loop after every batch (safe to read from any thread).</summary>
    public RaftStatus Status => _status;

    /// <summary>Opens storage (founding the cluster on first start) and starts the loop and the ticker.</summary>
    public static async Task<RaftHost> StartAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = MemberIds.ForName(options.Name);
        Directory.CreateDirectory(options.DataDir);
        var storage = FasterRaftStorage.Open(new StorageOptions { Directory = Path.Combine(options.DataDir, "raft") });
        await FoundIfNewAsync(options, storage, cancellationToken).ConfigureAwait(false);
        var host = new RaftHost(options, storage, new KvStore(), id, MemberIds.ForCluster(options.InitialCluster.Keys));
        host.StartTransport();
        host._loop = Task.Run(host.RunLoopAsync, CancellationToken.None);
        host._ticker = Task.Run(host.RunTickerAsync, CancellationToken.None);
        // Return once the loop has applied what was committed (and a lone voter leads), so status is meaningful.
        await Task.WhenAny(host._started.Task, host._loop).ConfigureAwait(false);
        if (host._loop.IsFaulted)
        {
            await host._loop.ConfigureAwait(false);
        }

        return host;
    }

    /// <summary>Replicates a store command and returns the store's result once it is applied here.</summary>
    public async Task<StoreResult> ProposeAsync(StoreCommand command, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<StoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inputs.Writer.WriteAsync(new NodeInput.Proposal(CommandCodec.Encode(command), completion), cancellationToken).ConfigureAwait(false);
        return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until a linearizable read may be served from <see cref="Store"/> (ReadIndex).</summary>
    public async Task ReadBarrierAsync(CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inputs.Writer.WriteAsync(new NodeInput.ReadBarrier(completion), cancellationToken).ConfigureAwait(false);
        await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await StopTransportAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loop, _ticker).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop and ticker end by cancellation.
        }

        FailAll(new ProposalFailedException(DroppedReason.NoLeader, NodeId.None, "the node is shutting down") { Indeterminate = true });
        await _storage.DisposeAsync().ConfigureAwait(false);
        Store.Dispose();
        _stop.Dispose();
    }

    private static async Task FoundIfNewAsync(ServerOptions options, FasterRaftStorage storage, CancellationToken cancellationToken)
    {
        if (storage.LastIndex() > LogIndex.Zero || !storage.HardState.IsEmpty || options.InitialClusterState != "new")
        {
            return;
        }

        // Every founder writes the same AddVoter entries (term 1), so members added later learn the membership
        // by replaying the log from index 1.
        var founders = new ConfState(options.InitialCluster.Keys.Select(MemberIds.ForName), []);
        var entries = MemoryRaftStorage.BootstrapEntries(founders);
        await storage.PersistAsync(new HardState(new Term(1), NodeId.None, entries[^1].Index), entries, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.HeartbeatIntervalMs));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            // A full input queue delays a tick rather than blocking the timer.
            _inputs.Writer.TryWrite(new NodeInput.Tick());
        }
    }

    private void RestoreStoreFromSnapshot(Snapshot snapshot)
    {
        if (snapshot.IsEmpty || snapshot.Data.Length == 0)
        {
            return;
        }

        using var stream = new MemoryStream(snapshot.Data.ToArray(), writable: false);
        Store.RestoreSnapshot(stream);
    }
}
