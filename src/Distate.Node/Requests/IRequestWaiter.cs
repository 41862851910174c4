using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>
/// Whoever waits for a proposal or a linearizable read: a task completion source in production, the client history in
/// the simulator. Exactly one of Succeed and Fail is called, once, from the driver's or the apply task's thread.
/// </summary>
public interface IRequestWaiter
{
    /// <summary>A proposal was appended at <paramref name="index"/> in <paramref name="term"/>; called at most once, as soon
    /// as it is known: before completion for a local proposal, but a forwarded one's answer from the leader may, rarely,
    /// arrive after its entry was applied here. Reads are never told.</summary>
    void Accepted(LogIndex index, Term term)
    {
    }

    /// <summary>A proposal was applied at <paramref name="index"/> with <paramref name="result"/>; or a read may be served
    /// now (index = the read index, result null).</summary>
    void Succeed(LogIndex index, object? result);

    /// <summary>The request failed; <see cref="RequestFailure.Indeterminate"/> says whether a write may still apply.</summary>
    void Fail(RequestFailure failure);
}
