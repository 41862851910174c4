using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// Checks that the client history of register writes and ReadIndex reads is linearizable.
/// </summary>
/// <remarks>
/// Values are unique per write, and every applied write has a log index (taken from what nodes applied), so the
/// witness order is the log order with each read placed just after the write it observed. The history is
/// linearizable iff that order respects real time, which reduces to, per register:
/// 1. a read never observes a write invoked after the read completed;
/// 2. a read never misses a write to its register that completed (acknowledged) before the read began and is
///    later in the log than what the read observed (a stale read);
/// 3. reads are monotonic: if read A completed before read B began, B observed a write no earlier than A's;
/// 4. acknowledged writes are ordered in the log as in real time, and are in the final log (durability);
/// 5. a write reported failed is in no node's applied log (a failure means "not applied", never "maybe").
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Throws <see cref="SafetyViolationException"/> describing the first violation found.</summary>
    public static void Check(IReadOnlyList<ClientOperation> history, IReadOnlyDictionary<ulong, ulong> appliedWriteIndex)
    {
        var writes = history.Where(op => op.IsWrite).ToDictionary(op => op.Id);
        var reads = history.Where(op => !op.IsWrite && op.Outcome == OperationOutcome.Ok).ToList();
        CheckWritesDurableAndOrdered(writes.Values, appliedWriteIndex);
        foreach (var read in reads)
        {
            CheckReadSource(read, writes);
            CheckNotStale(read, writes.Values, appliedWriteIndex);
        }

        CheckMonotonicReads(reads);
    }

    private static void CheckWritesDurableAndOrdered(IEnumerable<ClientOperation> writes, IReadOnlyDictionary<ulong, ulong> applied)
    {
        foreach (var write in writes)
        {
            if (write.Outcome == OperationOutcome.Failed && applied.TryGetValue(write.Id, out var at))
            {
                throw new SafetyViolationException($"{write} was reported failed but was applied at {at}");
            }
        }

        var acknowledged = writes.Where(w => w.Outcome == OperationOutcome.Ok).OrderBy(w => w.CompletedAt).ToList();
        foreach (var write in acknowledged)
        {
            if (!applied.TryGetValue(write.Id, out var index) || index != write.ProposedIndex.Value)
            {
                throw new SafetyViolationException($"acknowledged {write} is not in the committed log at its index");
            }
        }

        foreach (var earlier in acknowledged)
        {
            foreach (var later in acknowledged)
            {
                if (earlier.CompletedAt < later.InvokedAt && applied[earlier.Id] >= applied[later.Id])
                {
                    throw new SafetyViolationException($"real-time order broken: {earlier} completed before {later} began but is later in the log");
                }
            }
        }
    }

    private static void CheckReadSource(ClientOperation read, Dictionary<ulong, ClientOperation> writes)
    {
        if (read.ObservedWrite == 0)
        {
            return;
        }

        if (!writes.TryGetValue(read.ObservedWrite, out var source) || source.Key != read.Key)
        {
            throw new SafetyViolationException($"{read} observed a value no write to its key produced");
        }

        if (source.InvokedAt > read.CompletedAt)
        {
            throw new SafetyViolationException($"{read} observed {source}, which began after the read completed");
        }

        if (source.Outcome == OperationOutcome.Failed)
        {
            throw new SafetyViolationException($"{read} observed {source}, which was reported failed");
        }
    }

    private static void CheckNotStale(ClientOperation read, IEnumerable<ClientOperation> writes, IReadOnlyDictionary<ulong, ulong> applied)
    {
        foreach (var write in writes)
        {
            if (write.Key != read.Key || write.Outcome != OperationOutcome.Ok || write.CompletedAt >= read.InvokedAt)
            {
                continue;
            }

            if (applied[write.Id] > read.ObservedIndex.Value)
            {
                throw new SafetyViolationException(
                    $"stale read: {read} missed {write}, acknowledged before the read began (observed index {read.ObservedIndex} < {applied[write.Id]})");
            }
        }
    }

    private static void CheckMonotonicReads(List<ClientOperation> reads)
    {
        foreach (var group in reads.GroupBy(r => r.Key))
        {
            var byCompletion = group.OrderBy(r => r.CompletedAt).ToList();
            var byInvocation = group.OrderBy(r => r.InvokedAt).ToList();
            // Sweep: for each read B in invocation order, the highest index observed by reads completed before B began.
            var highest = LogIndex.Zero;
            ClientOperation? witness = null;
            var next = 0;
            foreach (var read in byInvocation)
            {
                while (next < byCompletion.Count && byCompletion[next].CompletedAt < read.InvokedAt)
                {
                    if (byCompletion[next].ObservedIndex >= highest)
                    {
                        highest = byCompletion[next].ObservedIndex;
                        witness = byCompletion[next];
                    }

                    next++;
                }

                if (read.ObservedIndex < highest)
                {
                    throw new SafetyViolationException($"non-monotonic reads: {witness} completed before {read} began but saw a later write");
                }
            }
        }
    }
}
