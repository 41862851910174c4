using System.Threading.Channels;
using Distate.Node.Requests;

namespace Distate.Node.Runtime;

/// <summary>
/// Crash-only supervision. Every task of the runtime (loop, apply task, ticker, snapshot writer) runs under
/// <see cref="RunCritical"/>: an exception nobody handled, or a loop that ends while the node runs, is fatal. Then, in
/// this order:
/// 1. the failure is recorded and reported at once through <see cref="OnFatal"/> (to be logged with its stack);
///    <see cref="FatalError"/> lets health checks say so and new requests fail at the door;
/// 2. every task is stopped, and once the loop and the apply task have ended (they own the waiting requests), every
///    waiting proposal and read fails with <see cref="NodeFailedException"/>;
/// 3. <see cref="Failed"/> completes, and the process should exit non-zero so a supervisor restarts it from disk.
/// A live process with a dead loop is never left behind.
/// </summary>
public sealed partial class NodeRuntime
{
    private readonly TaskCompletionSource<NodeFailedException> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first fatal failure; written once (compare-exchange) by whichever task failed.</summary>
    private NodeFailedException? _fatal;

    /// <summary>Completes with the failure when the node fails for good.</summary>
    public Task<NodeFailedException> Failed => _failed.Task;

    /// <summary>Why the node stopped for good; null while it runs.</summary>
    public string? FatalError => Volatile.Read(ref _fatal)?.Message;

    /// <summary>Runs <paramref name="body"/> on the thread pool; its failure (or its end while the node runs, unless
    /// <paramref name="mayEnd"/>) stops the node.</summary>
    public Task RunCritical(string name, Func<Task> body, bool mayEnd = false) => Task.Run(async () =>
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException && _stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Fail(name, ex);
            return;
        }

        if (!mayEnd && !_stop.IsCancellationRequested)
        {
            Fail(name, new InvalidOperationException($"the {name} ended while the node was running"));
        }
    }, CancellationToken.None);

    /// <summary>Step 1 of the class summary; starts steps 2 and 3. Only the first failure counts.</summary>
    public void Fail(string where, Exception cause)
    {
        var failure = new NodeFailedException(where, cause);
        if (Interlocked.CompareExchange(ref _fatal, failure, null) is not null)
        {
            return;
        }

        OnFatal?.Invoke(where, cause);
        _ = Task.Run(() => StopAfterFailureAsync(failure), CancellationToken.None);
    }

    /// <summary>Steps 2 and 3 of the class summary.</summary>
    private async Task StopAfterFailureAsync(NodeFailedException failure)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        _applies.Writer.TryComplete();
        var owners = Task.WhenAll(_loop, _applyTask);
        if (await Task.WhenAny(owners, Task.Delay(_options.StopAfterFailureTimeout, CancellationToken.None)).ConfigureAwait(false) == owners)
        {
            FailEverything(failure);
        }

        _failed.TrySetResult(failure);
    }

    /// <summary>Fails every request still held: the driver's, the apply queue's, the input queue's. Only once the loop
    /// and apply task have ended (nothing else touches what they own).</summary>
    private void FailEverything(RequestFailedException failure)
    {
        _driver.FailAll(failure.Failure);
        while (_applies.Reader.TryRead(out var batch))
        {
            batch.Fail(failure.Failure);
        }

        while (_inputs.Reader.TryRead(out var input))
        {
            input.Fail(failure);
        }
    }

    /// <summary>Hands an input to the loop; fails at once when the node failed or is stopping.</summary>
    private async ValueTask WriteInputAsync(RuntimeInput input, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            throw fatal;
        }

        try
        {
            await _inputs.Writer.WriteAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw (Exception?)Volatile.Read(ref _fatal)
                ?? new RequestFailedException(new RequestFailure(Raft.DroppedReason.NoLeader, Raft.NodeId.None,
                    "this member is shutting down; retry on another member", Indeterminate: true));
        }
    }
}
