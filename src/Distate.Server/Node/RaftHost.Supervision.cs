using System.Threading.Channels;

namespace Distate.Server.Node;

/// <summary>
/// Crash-only supervision of the member's own tasks (the peer message pump, background work), beside the runtime's
/// (src/Distate.Node/Runtime/NodeRuntime.Supervision.cs): an exception nobody handled, or a task that ends while the
/// member runs, fails the whole node through the runtime, which logs it with its stack, fails every waiting request,
/// turns /healthz and /readyz red and completes <see cref="Failed"/>, so the process exits non-zero.
/// </summary>
public sealed partial class RaftHost
{
    private Task RunCritical(string name, Func<Task> body, bool mayEnd = false) => Task.Run(async () =>
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
            _consensus.Fail(name, ex);
            return;
        }

        if (!mayEnd && !_stop.IsCancellationRequested)
        {
            _consensus.Fail(name, new InvalidOperationException($"the {name} ended while the node was running"));
        }
    }, CancellationToken.None);
}
