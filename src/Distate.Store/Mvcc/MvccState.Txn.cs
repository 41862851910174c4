using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Transactions: plan (compares, including nested ones, against the state before the txn, as etcd does),
/// check every op of the taken path, then execute with no way left to fail. One revision for the whole txn.</summary>
internal sealed partial class MvccState
{
    /// <summary>Applies a top-level txn.</summary>
    public StoreResult Txn(TxnCommand command)
    {
        TxnPlan plan = Plan(command);
        long cost = 0;
        StoreErrorCode? refused = CheckPath(command, plan, ref cost);
        if (refused is not null)
        {
            return refused == StoreErrorCode.Compacted
                ? StoreError.Create(new Revision(CurrentRevision), StoreErrorCode.Compacted, new Revision(CompactRevision))
                : Error(refused.Value);
        }

        if (cost > 0 && UsedBytes + cost > Settings.QuotaBytes)
        {
            return Error(StoreErrorCode.NoSpace);
        }

        return Execute(command, plan);
    }

    private TxnPlan Plan(TxnCommand command)
    {
        bool succeeded = true;
        foreach (Compare compare in command.Compares)
        {
            if (!Holds(compare))
            {
                succeeded = false;
                break;
            }
        }

        var nested = new List<TxnPlan>();
        foreach (StoreCommand op in succeeded ? command.Success : command.Failure)
        {
            if (op is TxnCommand inner)
            {
                nested.Add(Plan(inner));
            }
        }

        return new TxnPlan(succeeded, nested);
    }

    private StoreErrorCode? CheckPath(TxnCommand command, TxnPlan plan, ref long cost)
    {
        int nested = 0;
        foreach (StoreCommand op in plan.Succeeded ? command.Success : command.Failure)
        {
            StoreErrorCode? refused = op switch
            {
                PutCommand put => CheckPut(put),
                RangeCommand range => CheckReadRevision(range.Revision.Value)?.Code,
                TxnCommand inner => CheckPath(inner, plan.Nested[nested++], ref cost),
                _ => null,
            };
            if (refused is not null)
            {
                return refused;
            }

            if (op is PutCommand charged)
            {
                cost += PutCost(charged);
            }
        }

        return null;
    }

    private TxnResult Execute(TxnCommand command, TxnPlan plan)
    {
        IReadOnlyList<StoreCommand> ops = plan.Succeeded ? command.Success : command.Failure;
        var responses = new StoreResult[ops.Count];
        int nested = 0;
        for (int i = 0; i < ops.Count; i++)
        {
            responses[i] = ops[i] switch
            {
                PutCommand put => PutUnchecked(put),
                DeleteRangeCommand delete => DeleteUnchecked(delete),
                RangeCommand range => RangeInTxn(range),
                TxnCommand inner => Execute(inner, plan.Nested[nested++]),
                _ => throw new InvariantViolationException($"txn op {ops[i].GetType().Name} passed validation"),
            };
        }

        Invariant.Check(nested == plan.Nested.Count, "every nested plan is used once");
        Invariant.Check(responses.Length == ops.Count, "one response per op");
        return new TxnResult(HeaderRevision, plan.Succeeded, responses);
    }

    /// <summary>True when every key in the compare's range satisfies it; an absent key compares as zeros, and fails value compares.</summary>
    private bool Holds(Compare compare)
    {
        bool any = false;
        foreach (KeyRecord record in Index.Range(compare.Key, compare.RangeEnd))
        {
            KeyVersion? live = record.LiveLatest;
            if (live is null)
            {
                continue;
            }

            any = true;
            if (!Satisfies(compare, live))
            {
                return false;
            }
        }

        return any || (compare.Target != CompareTarget.Value && Satisfies(compare, null));
    }

    private static bool Satisfies(Compare compare, KeyVersion? version)
    {
        int relation = compare.Target switch
        {
            CompareTarget.Value => (version?.Value ?? []).AsSpan().SequenceCompareTo(compare.Value),
            CompareTarget.Version => (version?.Version ?? 0).CompareTo(compare.Number),
            CompareTarget.Create => (version?.CreateRevision ?? 0).CompareTo(compare.Number),
            CompareTarget.Mod => (version?.ModMain ?? 0).CompareTo(compare.Number),
            CompareTarget.Lease => (version?.Lease ?? 0).CompareTo(compare.Number),
            _ => throw new InvariantViolationException($"compare target {compare.Target} passed validation"),
        };
        return compare.Operator switch
        {
            CompareOperator.Equal => relation == 0,
            CompareOperator.NotEqual => relation != 0,
            CompareOperator.Greater => relation > 0,
            CompareOperator.Less => relation < 0,
            _ => throw new InvariantViolationException($"compare operator {compare.Operator} passed validation"),
        };
    }
}
