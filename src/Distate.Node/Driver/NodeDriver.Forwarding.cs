using Distate.Node.Envelope;
using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node.Driver;

/// <summary>
/// Follower writes at the right depth: a follower that knows the leader forwards its batched proposals (already
/// validated at its door) to the leader as one <see cref="MessageType.Propose"/> message over the peer transport; the
/// leader proposes them and answers where they were appended (<see cref="MessageType.ProposeResponse"/>). The follower
/// stamps each entry's envelope with its own id and a request id, and its apply task completes the waiting request when
/// it applies that entry (<see cref="ForwardedRequests"/>), wherever the leader put it. An entry whose index commits
/// with another term, or that a proposal cutoff or an installed snapshot rules out, fails as for a local proposal. A
/// batch the leader never answered (it died, or leadership moved) waits for the next leader's first commit, whose
/// proposal cutoff decides it (applied by then, or never; see <see cref="TakeUnansweredRuledOut"/>), so a write through
/// a follower during an election is retried rather than reported indeterminate; only a batch still undecided after
/// <see cref="NodeDriverOptions.ForwardTimeoutTicks"/> fails as indeterminate. The leader answers a batch only in the
/// term the follower sent it in, and only once (see <see cref="HandleForwardedProposals"/>).
/// </summary>
public sealed partial class NodeDriver
{
    private const int RememberedForwardsPerTerm = 65_536;

    /// <summary>Batches sent to the leader and not yet answered, by batch id.</summary>
    private readonly Dictionary<ulong, (NodeId Leader, Term Term, ulong[] RequestIds, long SentTick)> _forwardBatches = [];

    /// <summary>Where the leader appended forwarded requests, for those that can still fail: index → (term, request id).</summary>
    private readonly Dictionary<LogIndex, List<(Term Term, ulong RequestId)>> _forwardExpected = [];

    /// <summary>Leader side: batches answered in <see cref="_acceptedForwardsTerm"/> (origin, batch id), oldest first.</summary>
    private readonly HashSet<(NodeId Origin, ulong Batch)> _acceptedForwards = [];
    private readonly Queue<(NodeId Origin, ulong Batch)> _acceptedForwardOrder = new();
    private Term _acceptedForwardsTerm;
    /// <summary>The next request id stamped on a forwarded entry. It starts at a random point of the 63-bit space (from
    /// the Raft seed, which differs per start), so ids of entries forwarded before a restart — replayed from the log
    /// afterwards — do not match requests of this incarnation.</summary>
    private ulong _nextForwardRequest;

    /// <summary>Requests forwarded to the leader, completed by the apply task when it applies their entries.</summary>
    public ForwardedRequests Forwarded { get; }

    private bool ShouldForward =>
        _options.ForwardProposals && _raft.Role != StateRole.Leader && _raft.Leader.IsSome && _raft.Leader != Id;

    /// <summary>Sends one slice of the batched proposals to the leader.</summary>
    private void ForwardSlice(int start, int end, long started)
    {
        var leader = _raft.Leader;
        // A batch is named by its first request id: unique across restarts too, so the leader's duplicate filter never
        // mistakes a batch of this incarnation for one of an earlier incarnation (simulator seed 908, Chaos).
        var batchId = _nextForwardRequest;
        var requestIds = new ulong[end - start];
        var entries = new Entry[end - start];
        for (var i = start; i < end; i++)
        {
            var (data, waiter) = _batch[i];
            var requestId = _nextForwardRequest++;
            EntryEnvelope.Stamp(data, Id, requestId);
            requestIds[i - start] = requestId;
            entries[i - start] = new Entry(LogIndex.Zero, Term.Zero, EntryType.Normal, data);
            Forwarded.Add(requestId, new PendingProposal(Term.Zero, waiter, started));
        }

        var message = new Message { Type = MessageType.Propose, From = Id, To = leader, Term = _raft.Term, Context = batchId, Entries = entries };
        if (_outbox.TrySend(message))
        {
            _forwardBatches[batchId] = (leader, _raft.Term, requestIds, _ticks);
            _observer.OnProposalsForwarded(requestIds.Length);
            return;
        }

        // Never sent, so certainly not applied: a retry may find the leader reachable.
        _raft.ReportUnreachable(leader);
        FailRequests(requestIds, new RequestFailure(DroppedReason.NoLeader, leader,
            $"could not reach the leader ({leader}) to forward the request; retry shortly"));
    }

    /// <summary>
    /// Leader side: answers a follower's batch once, and only in the term it was sent in. A batch sent in another term,
    /// or to a member that no longer leads, gets no answer: it may be a late copy of one this member accepted (or refused)
    /// before, so neither answer would be safe; the next leader's first commit decides it on the follower. Any later copy
    /// in the same term is ignored, so nothing is appended twice and no refusal contradicts an acceptance.
    /// </summary>
    private void HandleForwardedProposals(Message message)
    {
        if (_raft.Role != StateRole.Leader || message.Term != _raft.Term)
        {
            return;
        }

        if (_raft.Term != _acceptedForwardsTerm)
        {
            _acceptedForwardsTerm = _raft.Term;
            _acceptedForwards.Clear();
            _acceptedForwardOrder.Clear();
        }

        var key = (message.From, message.Context);
        if (_acceptedForwards.Contains(key))
        {
            return;
        }

        RememberAnswered(key);
        var refusal = DroppedReason.TransferInProgress;
        if (_log.ReadOnlyReason is null)
        {
            var data = new ReadOnlyMemory<byte>[message.Entries.Length];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = message.Entries[i].Data;
            }

            var result = _raft.Propose(data);
            if (result.Accepted)
            {
                Answer(message, result.Index, result.Term, reject: false);
                return;
            }

            refusal = result.Reason;
        }

        // Refused by the leader of the batch's own term, and never accepted in it: certainly not appended.
        Answer(message, new LogIndex((ulong)refusal), Term.Zero, reject: true);
    }

    /// <summary>Sends a <see cref="MessageType.ProposeResponse"/>: where the batch was appended, or (rejected) why not.</summary>
    private void Answer(Message forwarded, LogIndex index, Term term, bool reject) =>
        _outbox.TrySend(new Message
        {
            Type = MessageType.ProposeResponse, From = Id, To = forwarded.From, Term = _raft.Term, Context = forwarded.Context,
            Index = index, LogTerm = term, Reject = reject,
        });

    private void RememberAnswered((NodeId Origin, ulong Batch) key)
    {
        _acceptedForwards.Add(key);
        _acceptedForwardOrder.Enqueue(key);
        if (_acceptedForwardOrder.Count > RememberedForwardsPerTerm)
        {
            _acceptedForwards.Remove(_acceptedForwardOrder.Dequeue());
        }
    }

    /// <summary>Follower side: the leader accepted (where) or refused (why) a forwarded batch.</summary>
    private void HandleForwardAnswer(Message message)
    {
        if (!_forwardBatches.TryGetValue(message.Context, out var batch) || batch.Leader != message.From)
        {
            return;
        }

        _forwardBatches.Remove(message.Context);

        if (message.Reject)
        {
            // Reasons about the leader itself (it was just removed, or stepped down) are, for this member's client, an
            // election under way: not appended, retry soon.
            var reason = (DroppedReason)message.Index.Value;
            var retriable = reason is DroppedReason.Removed or DroppedReason.NotLeader ? DroppedReason.NoLeader : reason;
            FailRequests(batch.RequestIds, RequestFailure.For(retriable, NodeId.None));
            return;
        }

        for (var i = 0; i < batch.RequestIds.Length; i++)
        {
            var index = message.Index + (ulong)i;
            Forwarded.Accepted(batch.RequestIds[i], index, message.LogTerm);
            ExpectForwarded(index, message.LogTerm, batch.RequestIds[i]);
        }
    }

    private void ExpectForwarded(LogIndex index, Term term, ulong requestId)
    {
        if (index <= _handedOffIndex)
        {
            // The answer came after the entry at its index was handed to the apply task: ours iff the terms match (then
            // the apply task completes it); the log tells, unless a snapshot already covers it.
            var ours = index >= _log.FirstIndex() && index <= _log.LastIndex() && _log.TermAt(index) == term;
            if (!ours)
            {
                FailRequests([requestId], index >= _log.FirstIndex() ? LostFailure() : CoveredFailure());
            }

            return;
        }

        if (!_forwardExpected.TryGetValue(index, out var list))
        {
            list = [];
            _forwardExpected[index] = list;
        }

        list.Add((term, requestId));
    }

    /// <summary>At hand-off: a forwarded request whose index committed with another term was never committed.</summary>
    private void CheckForwarded(Entry entry)
    {
        if (!_forwardExpected.Remove(entry.Index, out var expected))
        {
            return;
        }

        foreach (var (term, requestId) in expected)
        {
            if (term != entry.Term)
            {
                FailRequests([requestId], LostFailure());
            }
        }
    }

    /// <summary>Fails the forwarded requests <paramref name="ruledOut"/> selects (by index and term: a cutoff, an installed
    /// snapshot) with <paramref name="failure"/>.</summary>
    private void FailForwardedWhere(Func<LogIndex, Term, bool> ruledOut, RequestFailure failure)
    {
        List<LogIndex>? emptied = null;
        foreach (var (index, expected) in _forwardExpected)
        {
            expected.RemoveAll(item =>
            {
                if (!ruledOut(index, item.Term))
                {
                    return false;
                }

                FailRequests([item.RequestId], failure);
                return true;
            });
            if (expected.Count == 0)
            {
                (emptied ??= []).Add(index);
            }
        }

        foreach (var index in emptied ?? [])
        {
            _forwardExpected.Remove(index);
        }
    }

    /// <summary>
    /// Unanswered batches a proposal cutoff rules out: sent in a term before the newly committed one. Their entries, if the
    /// old leader appended them, are committed at or below the cutoff's index or never (log terms never decrease along a
    /// log, and every later leader holds the cutoff's entry), so once the apply task has applied this Ready's entries,
    /// those still waiting were certainly not applied. The apply task fails them then (<see cref="Apply.ApplyBatch.ForwardedRuledOut"/>).
    /// </summary>
    private List<ulong>? TakeUnansweredRuledOut(ProposalCutoff cutoff)
    {
        List<ulong>? ruledOut = null;
        foreach (var (batchId, batch) in _forwardBatches.Where(pair => pair.Value.Term < cutoff.Term).ToList())
        {
            _forwardBatches.Remove(batchId);
            (ruledOut ??= []).AddRange(batch.RequestIds);
        }

        return ruledOut;
    }

    /// <summary>Fails, as indeterminate, unanswered batches that waited longer than ForwardTimeoutTicks (the message or its
    /// answer may be lost, and no cutoff has decided them), or (<paramref name="all"/>) every unanswered batch: an
    /// installed snapshot may hold their entries.</summary>
    private void ExpireForwardBatches(bool all)
    {
        if (_forwardBatches.Count == 0)
        {
            return;
        }

        foreach (var (batchId, batch) in _forwardBatches.Where(pair => all || _ticks - pair.Value.SentTick >= _options.ForwardTimeoutTicks).ToList())
        {
            _forwardBatches.Remove(batchId);
            FailRequests(batch.RequestIds, all ? CoveredFailure() : new RequestFailure(DroppedReason.LeadershipLost, _raft.Leader,
                $"the leader ({batch.Leader}) did not confirm the forwarded request in time; it may or may not have been applied",
                Indeterminate: true));
        }
    }

    private void FailForwardedAll(RequestFailure failure)
    {
        Forwarded.FailAll(failure);
        _forwardBatches.Clear();
        _forwardExpected.Clear();
    }

    private void FailRequests(IEnumerable<ulong> requestIds, RequestFailure failure)
    {
        foreach (var requestId in requestIds)
        {
            if (Forwarded.TryFail(requestId, failure))
            {
                _observer.OnProposalFailed();
            }
        }
    }

    private RequestFailure LostFailure() => new(DroppedReason.LeadershipLost, _raft.Leader,
        "leadership changed before the request was committed; it was not applied");

    private RequestFailure CoveredFailure() => new(DroppedReason.LeadershipLost, _raft.Leader,
        "a snapshot from the leader replaced the log before this request's entry was applied here; it may or may not have been applied",
        Indeterminate: true);
}
