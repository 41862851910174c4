using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>
/// Whoever waits for a proposal or a linearizable read: a task completion source in production, the client history in
/// the simulator. Exactly one of Succeed and Fail is called, once, from the driver's or the apply task's thread.
/// </summary>
public interface IRequestWaiter
{
    /// <summary>A proposal was appended at <paramref name="index"/> in <paramref name="term"/> (before it commits);
    /// called at most once, before <see cref="Succeed"/> or <see cref="Fail"/>. Reads are never told.</summary>
    void Accepted(LogIndex index, Term term)
    {
    }

    /// <summary>A proposal was applied at <paramref name="index"/> with <paramref name="result"/>; or a read may be served
    /// now (index = the read index, result null).</summary>
    void Succeed(LogIndex index, object? result);

    /// <summary>The request failed; <see cref="RequestFailure.Indeterminate"/> says whether a write may still apply.</summary>
    void Fail(RequestFailure failure);
}
