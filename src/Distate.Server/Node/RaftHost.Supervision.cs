using System.Threading.Channels;
using Distate.Raft;

namespace Distate.Server.Node;

/// <summary>
/// Crash-only supervision. Every long-running task of the node (loop, apply task, ticker, background work, snapshot
/// writer, peer pump) runs under <see cref="RunCritical"/>: an exception nobody handled, or a loop that ends while the
/// node runs, is fatal. Then, in this order:
/// 1. the failure is recorded and logged at once with its stack (<see cref="FatalError"/> turns /readyz and /healthz
///    to 503 naming it; new requests fail at the door);
/// 2. every task is stopped, and once the loop and the apply task have ended (they own the waiting requests), every
///    waiting proposal and read fails with <see cref="NodeFailedException"/> (a 503);
/// 3. <see cref="Failed"/> completes, and the process exits non-zero so a supervisor restarts it from disk.
/// A live process with a dead loop is never left behind.
/// </summary>
public sealed partial class RaftHost
{
    /// <summary>How long a failed node waits for its loop and apply task to stop before giving up on them.</summary>
    private static readonly TimeSpan StopAfterFailureTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<NodeFailedException> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first fatal failure; written once (compare-exchange) by whichever task failed.</summary>
    private NodeFailedException? _fatal;

    /// <summary>Runs <paramref name="body"/> on the thread pool; its failure (or its end while the node runs, unless
    /// <paramref name="mayEnd"/>) stops the node.</summary>
    private Task RunCritical(string name, Func<Task> body, bool mayEnd = false) => Task.Run(async () =>
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (ChannelClosedException) when (_stop.IsCancellationRequested)
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
    private void Fail(string where, Exception cause)
    {
        var failure = new NodeFailedException(where, cause);
        if (Interlocked.CompareExchange(ref _fatal, failure, null) is not null)
        {
            return;
        }

        NodeLog.Fatal(_logger, cause, where);
        _ = Task.Run(() => StopAfterFailureAsync(failure), CancellationToken.None);
    }

    /// <summary>Steps 2 and 3 of the class summary.</summary>
    private async Task StopAfterFailureAsync(NodeFailedException failure)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        _applies.Writer.TryComplete();
        var owners = Task.WhenAll(_loop, _applier);
        if (await Task.WhenAny(owners, Task.Delay(StopAfterFailureTimeout, CancellationToken.None)).ConfigureAwait(false) == owners)
        {
            FailAll(failure);
            FailUnapplied(failure);
            FailQueuedInputs(failure);
        }
        else
        {
            NodeLog.StopTimedOut(_logger, StopAfterFailureTimeout);
        }

        _failed.TrySetResult(failure);
    }

    /// <summary>Hands an input to the loop; fails at once (503) when the node failed or is stopping.</summary>
    private async ValueTask WriteInputAsync(NodeInput input, CancellationToken cancellationToken)
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
                ?? new ProposalFailedException(DroppedReason.NoLeader, NodeId.None, "this member is shutting down; retry on another member") { Indeterminate = true };
        }
    }

    /// <summary>Fails the requests still queued for the loop (it has stopped, so nothing else reads the queue).</summary>
    private void FailQueuedInputs(Exception failure)
    {
        while (_inputs.Reader.TryRead(out var input))
        {
            switch (input)
            {
                case NodeInput.Proposal proposal:
                    proposal.Completion.TrySetException(failure);
                    break;
                case NodeInput.ConfChangeProposal change:
                    change.Completion.TrySetException(failure);
                    break;
                case NodeInput.ReadBarrier read:
                    read.Completion.TrySetException(failure);
                    break;
            }
        }
    }
}
