using Distate.Store.Commands;
using Distate.Store.Mvcc;

namespace Distate.Store.Validation;

/// <summary>etcd's "duplicate key given in txn request" rule: within one branch (nested txns included) a key may be put
/// at most once and not also fall in a deleted range; the two branches of a nested txn may put the same key since only one runs.</summary>
internal static class TxnIntervalChecker
{
    /// <summary>True when the branch writes a key twice.</summary>
    public static bool HasDuplicateWrites(IReadOnlyList<StoreCommand> ops) =>
        (ops.Count > 1 || (ops.Count == 1 && ops[0] is TxnCommand)) && !TryCollect(ops, out _, out _);

    private static bool TryCollect(IReadOnlyList<StoreCommand> ops, out HashSet<byte[]> puts, out List<DeleteRangeCommand> deletes)
    {
        puts = new HashSet<byte[]>(ByteArrayEqualityComparer.Instance);
        deletes = [];
        foreach (StoreCommand op in ops)
        {
            if (op is DeleteRangeCommand delete)
            {
                deletes.Add(delete);
            }
        }

        foreach (StoreCommand op in ops)
        {
            if (op is TxnCommand inner && !MergeNested(inner, puts, deletes))
            {
                return false;
            }
        }

        foreach (StoreCommand op in ops)
        {
            if (op is PutCommand put && !AddPut(put.Key, puts, deletes))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MergeNested(TxnCommand inner, HashSet<byte[]> puts, List<DeleteRangeCommand> deletes)
    {
        if (!TryCollect(inner.Success, out HashSet<byte[]> putsThen, out List<DeleteRangeCommand> deletesThen)
            || !TryCollect(inner.Failure, out HashSet<byte[]> putsElse, out List<DeleteRangeCommand> deletesElse))
        {
            return false;
        }

        foreach (byte[] key in putsThen)
        {
            if (!puts.Add(key) || InDeletes(key, deletes))
            {
                return false;
            }
        }

        foreach (byte[] key in putsElse)
        {
            bool clash = puts.Contains(key) && !putsThen.Contains(key);
            if (clash || InDeletes(key, deletes))
            {
                return false;
            }

            puts.Add(key);
        }

        deletes.AddRange(deletesThen);
        deletes.AddRange(deletesElse);
        return true;
    }

    private static bool AddPut(byte[] key, HashSet<byte[]> puts, List<DeleteRangeCommand> deletes)
    {
        return !InDeletes(key, deletes) && puts.Add(key);
    }

    private static bool InDeletes(byte[] key, List<DeleteRangeCommand> deletes)
    {
        foreach (DeleteRangeCommand delete in deletes)
        {
            if (KeyIndex.Contains(delete.Key, delete.RangeEnd, key))
            {
                return true;
            }
        }

        return false;
    }
}
