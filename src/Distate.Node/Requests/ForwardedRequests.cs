using System.Collections.Concurrent;
using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>
/// Proposals this member forwarded to the leader, by the request id stamped in their entry envelope. Shared by the
/// driver (which adds them and fails those that cannot commit) and the apply task (which completes the one whose entry
/// it applies, recognised by origin and request id, wherever the leader put it). Whoever removes an entry first
/// completes its waiter, so each completes exactly once. Thread-safe.
/// </summary>
public sealed class ForwardedRequests(NodeId self)
{
    private readonly ConcurrentDictionary<ulong, PendingProposal> _waiting = new();

    /// <summary>This member: only entries it originated are looked up.</summary>
    public NodeId Self { get; } = self;

    /// <summary>Requests forwarded and not yet completed.</summary>
    public int Count => _waiting.Count;

    internal void Add(ulong requestId, PendingProposal proposal) =>
        Invariant.Check(_waiting.TryAdd(requestId, proposal), "forwarded request ids are unique");

    /// <summary>Takes the request an applied entry completes (apply task); false when nobody waits for it here.</summary>
    internal bool TryTake(NodeId origin, ulong requestId, out PendingProposal proposal)
    {
        proposal = null!;
        return origin == Self && requestId != 0 && _waiting.TryRemove(requestId, out proposal!);
    }

    /// <summary>Tells a still-waiting request where the leader appended it.</summary>
    internal void Accepted(ulong requestId, LogIndex index, Term term)
    {
        if (_waiting.TryGetValue(requestId, out var proposal))
        {
            proposal.Waiter.Accepted(index, term);
        }
    }

    /// <summary>Fails a request unless it already completed.</summary>
    internal bool TryFail(ulong requestId, RequestFailure failure)
    {
        if (!_waiting.TryRemove(requestId, out var proposal))
        {
            return false;
        }

        proposal.Waiter.Fail(failure);
        return true;
    }

    /// <summary>Fails every request still waiting.</summary>
    internal void FailAll(RequestFailure failure)
    {
        foreach (var requestId in _waiting.Keys)
        {
            TryFail(requestId, failure);
        }
    }
}
