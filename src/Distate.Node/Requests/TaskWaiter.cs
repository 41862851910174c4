using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>A waiter for async callers: a task that completes with (index, result) or faults with
/// <see cref="RequestFailedException"/>. Continuations run asynchronously, never on the driver or apply thread.</summary>
public sealed class TaskWaiter : IRequestWaiter
{
    private readonly TaskCompletionSource<(LogIndex Index, object? Result)> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the request does.</summary>
    public Task<(LogIndex Index, object? Result)> Task => _completion.Task;

    /// <inheritdoc />
    public void Succeed(LogIndex index, object? result) => _completion.TrySetResult((index, result));

    /// <inheritdoc />
    public void Fail(RequestFailure failure) => _completion.TrySetException(new RequestFailedException(failure));

    /// <summary>Fails with a ready-made exception (a node failure with its cause).</summary>
    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
