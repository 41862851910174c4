using System.Threading.Channels;
using Distate.Node.Apply;
using Distate.Node.Driver;
using Distate.Node.Requests;
using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Node.Runtime;

/// <summary>
/// The production runtime around the <see cref="NodeDriver"/>: a loop task that owns the driver and reads a bounded
/// channel of inputs, an apply task that runs the <see cref="Applier"/> over a bounded channel of batches, a ticker,
/// and a snapshot writer — each supervised (crash-only, see NodeRuntime.Supervision.cs). Callers use
/// <see cref="ProposeAsync"/>, <see cref="ReadBarrierAsync"/> and <see cref="ProposeConfChangeAsync"/>, which only
/// enqueue and await. Who writes what: the loop writes the driver and <see cref="_status"/>; the apply task writes the
/// state machine (through the applier); the ticker writes <see cref="_tickQueued"/>; any thread writes inputs.
/// </summary>
public sealed partial class NodeRuntime : IConsensus
{
    private readonly NodeDriver _driver;
    private readonly Applier _applier;
    private readonly IDurableLog _log;
    private readonly NodeRuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<RuntimeInput> _inputs;
    private readonly Channel<ApplyBatch> _applies;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private Task _applyTask = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private Task _snapshotWriter = Task.CompletedTask;
    private int _tickQueued;
    private volatile RaftStatus _status;

    /// <summary>Creates the runtime; <see cref="StartAsync"/> starts its tasks.</summary>
    public NodeRuntime(NodeDriver driver, Applier applier, IDurableLog log, NodeRuntimeOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _driver = driver;
        _applier = applier;
        _log = log;
        _options = options;
        _time = time;
        _inputs = Channel.CreateBounded<RuntimeInput>(new BoundedChannelOptions(options.InputCapacity)
        {
            SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
        });
        _applies = Channel.CreateBounded<ApplyBatch>(new BoundedChannelOptions(options.ApplyCapacity)
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
        _status = driver.Status();
    }

    /// <summary>The latest Raft status, refreshed by the loop after every batch (any thread).</summary>
    public RaftStatus Status => _status;

    /// <summary>The highest log index applied to the state machine (any thread).</summary>
    public LogIndex AppliedIndex => _applier.AppliedIndex;

    /// <summary>Called (on the failing task) when the node fails for good, before anything else happens: log it here.</summary>
    public Action<string, Exception>? OnFatal { get; init; }

    /// <summary>
    /// Starts the tasks and returns once what was committed before the start is applied (and a lone voter leads), so
    /// status and the state machine are meaningful; throws the failure when the node fails while starting.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _applyTask = RunCritical("apply task", RunApplierAsync);
        _loop = RunCritical("node loop", RunLoopAsync);
        _ticker = RunCritical("ticker", RunTickerAsync);
        await Task.WhenAny(_started.Task, _failed.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_failed.Task.IsCompleted)
        {
            throw await _failed.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Replicates entry data (an encoded envelope) and returns the state machine's result once applied here.
    /// Refusals that mean "not applied, try again soon" (no leader yet, new leader not ready) are retried until the
    /// deadline; then the last refusal is what the caller sees (a bounded wait, never a hang).</summary>
    public Task<(LogIndex Index, object? Result)> ProposeAsync(byte[] data, CancellationToken cancellationToken) =>
        RetryTransientAsync(() => new RuntimeInput.Proposal(data, new TaskWaiter()), cancellationToken);

    /// <summary>Waits until a linearizable read may be served from the state machine (ReadIndex), retried like a proposal.</summary>
    public Task ReadBarrierAsync(CancellationToken cancellationToken) =>
        RetryTransientAsync(() => new RuntimeInput.Read(new TaskWaiter()), cancellationToken);

    /// <summary>Proposes a membership change; completes once it is applied here (and so in effect).</summary>
    public async Task ProposeConfChangeAsync(ConfChange change, CancellationToken cancellationToken)
    {
        var waiter = new TaskWaiter();
        await WriteInputAsync(new RuntimeInput.ConfChangeProposal(change, waiter), cancellationToken).ConfigureAwait(false);
        await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands a peer's message to the loop (waits while the loop is behind: back-pressure on that peer).</summary>
    public ValueTask DeliverAsync(Message message, CancellationToken cancellationToken) =>
        _inputs.Writer.WriteAsync(new RuntimeInput.Peer(message), cancellationToken);

    /// <summary>The transport could not reach a peer (never waits).</summary>
    public void ReportUnreachable(NodeId peer) => _inputs.Writer.TryWrite(new RuntimeInput.Unreachable(peer));

    /// <summary>The transport finished (or failed) sending a snapshot (never waits).</summary>
    public void ReportSnapshot(NodeId peer, bool succeeded) => _inputs.Writer.TryWrite(new RuntimeInput.SnapshotStatus(peer, succeeded));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        await Task.WhenAll(_loop, _ticker, _applyTask, _snapshotWriter).ConfigureAwait(false);
        var stopping = new RequestFailedException(new RequestFailure(DroppedReason.NoLeader, NodeId.None, "the node is shutting down", Indeterminate: true));
        FailEverything(stopping);
        _stop.Dispose();
    }

    private async Task<(LogIndex Index, object? Result)> RetryTransientAsync(Func<RuntimeInput> input, CancellationToken cancellationToken)
    {
        var delay = Backoff.First;
        while (true)
        {
            var next = input();
            try
            {
                await WriteInputAsync(next, cancellationToken).ConfigureAwait(false);
                return await WaiterOf(next).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Failure.IsTransient && !_stop.IsCancellationRequested)
            {
                if (!await Backoff.WaitAsync(delay, _time, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                delay = Backoff.Next(delay);
            }
        }
    }

    private static TaskWaiter WaiterOf(RuntimeInput input) => input switch
    {
        RuntimeInput.Proposal proposal => (TaskWaiter)proposal.Waiter,
        RuntimeInput.Read read => (TaskWaiter)read.Waiter,
        _ => throw new ArgumentException("only proposals and reads are retried", nameof(input)),
    };
}
