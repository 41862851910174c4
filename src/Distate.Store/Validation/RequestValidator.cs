using Distate.Store.Commands;
using Distate.Store.Errors;

namespace Distate.Store.Validation;

/// <summary>Stateless checks run before a command touches the state: sizes, empty keys, enum values, txn op budget and duplicate writes.</summary>
internal sealed class RequestValidator
{
    private readonly StoreSettings _settings;

    /// <summary>Creates a validator for the given limits.</summary>
    public RequestValidator(StoreSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Null when the command is well-formed, else the reason to refuse it.</summary>
    public StoreErrorCode? Validate(StoreCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            TxnCommand txn => ValidateTxn(txn),
            LeaseGrantCommand grant => grant.TtlSeconds < 0 ? StoreErrorCode.InvalidArgument : null,
            LeaseRevokeCommand => null,
            LeaseCheckpointCommand checkpoint => ValidateCheckpoint(checkpoint),
            CompactCommand => null,
            AlarmCommand alarm => alarm.Action is AlarmAction.Activate or AlarmAction.Deactivate && Enum.IsDefined(alarm.Alarm.Alarm)
                ? null : StoreErrorCode.InvalidArgument,
            _ => ValidateOp(command),
        };
    }

    private StoreErrorCode? ValidateTxn(TxnCommand txn)
    {
        StoreErrorCode? refused = ValidateTxnOps(txn, _settings.MaxTxnOps);
        if (refused is not null)
        {
            return refused;
        }

        return TxnIntervalChecker.HasDuplicateWrites(txn.Success) || TxnIntervalChecker.HasDuplicateWrites(txn.Failure)
            ? StoreErrorCode.DuplicateKey
            : null;
    }

    /// <summary>etcd's budget: the largest of compares, success and failure must fit, and nested txns share what is left.</summary>
    private StoreErrorCode? ValidateTxnOps(TxnCommand txn, int budget)
    {
        int used = Math.Max(txn.Compares.Count, Math.Max(txn.Success.Count, txn.Failure.Count));
        if (used > budget)
        {
            return StoreErrorCode.TooManyOps;
        }

        foreach (Compare compare in txn.Compares)
        {
            StoreErrorCode? refused = ValidateCompare(compare);
            if (refused is not null)
            {
                return refused;
            }
        }

        return ValidateBranch(txn.Success, budget - used) ?? ValidateBranch(txn.Failure, budget - used);
    }

    private StoreErrorCode? ValidateBranch(IReadOnlyList<StoreCommand> ops, int budget)
    {
        foreach (StoreCommand op in ops)
        {
            StoreErrorCode? refused = op is TxnCommand inner ? ValidateTxnOps(inner, budget) : ValidateOp(op);
            if (refused is not null)
            {
                return refused;
            }
        }

        return null;
    }

    private StoreErrorCode? ValidateOp(StoreCommand op) => op switch
    {
        PutCommand put => ValidatePut(put),
        RangeCommand range => ValidateRange(range),
        DeleteRangeCommand delete => ValidateKeyRange(delete.Key, delete.RangeEnd),
        _ => StoreErrorCode.InvalidArgument,
    };

    private StoreErrorCode? ValidatePut(PutCommand put)
    {
        if (put is null || put.Key is null || put.Value is null)
        {
            return StoreErrorCode.InvalidArgument;
        }

        if (put.Key.Length == 0)
        {
            return StoreErrorCode.EmptyKey;
        }

        if (put.Key.Length > _settings.MaxKeyBytes || put.Value.Length > _settings.MaxValueBytes)
        {
            return StoreErrorCode.RequestTooLarge;
        }

        if (put.IgnoreValue && put.Value.Length != 0)
        {
            return StoreErrorCode.ValueProvided;
        }

        return put.IgnoreLease && put.Lease.IsSet ? StoreErrorCode.LeaseProvided : null;
    }

    private StoreErrorCode? ValidateRange(RangeCommand range)
    {
        if (range is null || !Enum.IsDefined(range.SortOrder) || !Enum.IsDefined(range.SortTarget))
        {
            return StoreErrorCode.InvalidArgument;
        }

        return ValidateKeyRange(range.Key, range.RangeEnd);
    }

    private StoreErrorCode? ValidateKeyRange(byte[]? key, byte[]? rangeEnd)
    {
        if (key is null || rangeEnd is null)
        {
            return StoreErrorCode.InvalidArgument;
        }

        if (key.Length == 0)
        {
            return StoreErrorCode.EmptyKey;
        }

        return key.Length > _settings.MaxKeyBytes || rangeEnd.Length > _settings.MaxKeyBytes ? StoreErrorCode.RequestTooLarge : null;
    }

    private StoreErrorCode? ValidateCompare(Compare compare)
    {
        if (compare is null || compare.Key is null || compare.RangeEnd is null || compare.Value is null
            || !Enum.IsDefined(compare.Target) || !Enum.IsDefined(compare.Operator))
        {
            return StoreErrorCode.InvalidArgument;
        }

        return compare.Key.Length > _settings.MaxKeyBytes || compare.Value.Length > _settings.MaxValueBytes
            ? StoreErrorCode.RequestTooLarge
            : null;
    }

    private static StoreErrorCode? ValidateCheckpoint(LeaseCheckpointCommand command)
    {
        if (command.Checkpoints is null)
        {
            return StoreErrorCode.InvalidArgument;
        }

        foreach (LeaseCheckpoint checkpoint in command.Checkpoints)
        {
            if (checkpoint.RemainingTtlSeconds < 0)
            {
                return StoreErrorCode.InvalidArgument;
            }
        }

        return null;
    }
}
