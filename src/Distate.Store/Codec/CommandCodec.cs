using Distate.Store.Alarms;
using Distate.Store.Commands;

namespace Distate.Store.Codec;

/// <summary>Compact, deterministic binary encoding of commands for the Raft log: a format-version byte, then a kind byte
/// and the fields as varints and length-prefixed bytes. The same command always encodes to the same bytes.</summary>
public static class CommandCodec
{
    /// <summary>The format version written first; decoding rejects any other.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Deepest txn nesting accepted when decoding (the op budget bounds real requests far below this).</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Most list elements accepted when decoding (compares, ops or checkpoints).</summary>
    public const int MaxListCount = 1 << 20;

    /// <summary>Encodes a command.</summary>
    public static byte[] Encode(StoreCommand command) => Encode(command, reserveBytes: 0);

    /// <summary>Encodes a command after <paramref name="reserveBytes"/> zero bytes the caller fills (a log entry's
    /// envelope header), so the command is copied into its entry once.</summary>
    public static byte[] Encode(StoreCommand command, int reserveBytes)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(reserveBytes);
        var writer = new ByteWriter();
        for (var i = 0; i < reserveBytes; i++)
        {
            writer.WriteByte(0);
        }

        writer.WriteByte(FormatVersion);
        WriteCommand(writer, command);
        return writer.Written.ToArray();
    }

    /// <summary>Decodes a command; throws <see cref="StoreCodecException"/> when the bytes are malformed.</summary>
    public static StoreCommand Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new ByteReader(encoded);
        byte version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new StoreCodecException($"malformed command: unknown format version {version}");
        }

        StoreCommand command = ReadCommand(ref reader, depth: 0);
        if (!reader.AtEnd)
        {
            throw new StoreCodecException("malformed command: trailing bytes");
        }

        return command;
    }

    private static void WriteCommand(ByteWriter writer, StoreCommand command)
    {
        switch (command)
        {
            case PutCommand put:
                writer.WriteByte((byte)CommandKind.Put);
                writer.WriteBytes(put.Key);
                writer.WriteBytes(put.Value);
                writer.WriteSigned(put.Lease.Value);
                writer.WriteByte(Flags(put.PrevKv, put.IgnoreValue, put.IgnoreLease));
                break;
            case DeleteRangeCommand delete:
                writer.WriteByte((byte)CommandKind.DeleteRange);
                writer.WriteBytes(delete.Key);
                writer.WriteBytes(delete.RangeEnd);
                writer.WriteByte(Flags(delete.PrevKv, false, false));
                break;
            case RangeCommand range:
                writer.WriteByte((byte)CommandKind.Range);
                WriteRange(writer, range);
                break;
            case TxnCommand txn:
                writer.WriteByte((byte)CommandKind.Txn);
                WriteTxn(writer, txn);
                break;
            default:
                WriteLeaseOrCompact(writer, command);
                break;
        }
    }

    private static void WriteLeaseOrCompact(ByteWriter writer, StoreCommand command)
    {
        switch (command)
        {
            case CompactCommand compact:
                writer.WriteByte((byte)CommandKind.Compact);
                writer.WriteSigned(compact.Revision.Value);
                break;
            case LeaseGrantCommand grant:
                writer.WriteByte((byte)CommandKind.LeaseGrant);
                writer.WriteSigned(grant.Id.Value);
                writer.WriteSigned(grant.TtlSeconds);
                break;
            case LeaseRevokeCommand revoke:
                writer.WriteByte((byte)CommandKind.LeaseRevoke);
                writer.WriteSigned(revoke.Id.Value);
                break;
            case LeaseCheckpointCommand checkpoint:
                writer.WriteByte((byte)CommandKind.LeaseCheckpoint);
                writer.WriteVarint((ulong)checkpoint.Checkpoints.Count);
                foreach (LeaseCheckpoint entry in checkpoint.Checkpoints)
                {
                    writer.WriteSigned(entry.Id.Value);
                    writer.WriteSigned(entry.RemainingTtlSeconds);
                }

                break;
            case AlarmCommand alarm:
                writer.WriteByte((byte)CommandKind.Alarm);
                writer.WriteByte((byte)alarm.Action);
                writer.WriteVarint(alarm.Alarm.MemberId);
                writer.WriteByte((byte)alarm.Alarm.Alarm);
                break;
            default:
                throw new ArgumentException($"unknown command type {command.GetType().Name}", nameof(command));
        }
    }

    private static void WriteRange(ByteWriter writer, RangeCommand range)
    {
        writer.WriteBytes(range.Key);
        writer.WriteBytes(range.RangeEnd);
        writer.WriteSigned(range.Limit);
        writer.WriteSigned(range.Revision.Value);
        writer.WriteByte((byte)range.SortOrder);
        writer.WriteByte((byte)range.SortTarget);
        writer.WriteByte(Flags(range.KeysOnly, range.CountOnly, false));
        writer.WriteSigned(range.MinModRevision.Value);
        writer.WriteSigned(range.MaxModRevision.Value);
        writer.WriteSigned(range.MinCreateRevision.Value);
        writer.WriteSigned(range.MaxCreateRevision.Value);
    }

    private static void WriteTxn(ByteWriter writer, TxnCommand txn)
    {
        writer.WriteVarint((ulong)txn.Compares.Count);
        foreach (Compare compare in txn.Compares)
        {
            writer.WriteBytes(compare.Key);
            writer.WriteBytes(compare.RangeEnd);
            writer.WriteByte((byte)compare.Target);
            writer.WriteByte((byte)compare.Operator);
            writer.WriteSigned(compare.Number);
            writer.WriteBytes(compare.Value);
        }

        WriteOps(writer, txn.Success);
        WriteOps(writer, txn.Failure);
    }

    private static void WriteOps(ByteWriter writer, IReadOnlyList<StoreCommand> ops)
    {
        writer.WriteVarint((ulong)ops.Count);
        foreach (StoreCommand op in ops)
        {
            if (op is not (PutCommand or DeleteRangeCommand or RangeCommand or TxnCommand))
            {
                throw new ArgumentException($"a txn cannot hold a {op.GetType().Name}", nameof(ops));
            }

            WriteCommand(writer, op);
        }
    }

    private static byte Flags(bool first, bool second, bool third) =>
        (byte)((first ? 1 : 0) | (second ? 2 : 0) | (third ? 4 : 0));

    private static StoreCommand ReadCommand(ref ByteReader reader, int depth)
    {
        var kind = (CommandKind)reader.ReadByte();
        return kind switch
        {
            CommandKind.Put => ReadPut(ref reader),
            CommandKind.DeleteRange => ReadDelete(ref reader),
            CommandKind.Range => ReadRange(ref reader),
            CommandKind.Txn => ReadTxn(ref reader, depth + 1),
            CommandKind.Compact => new CompactCommand(new Revision(reader.ReadSigned())),
            CommandKind.LeaseGrant => new LeaseGrantCommand(new LeaseId(reader.ReadSigned()), reader.ReadSigned()),
            CommandKind.LeaseRevoke => new LeaseRevokeCommand(new LeaseId(reader.ReadSigned())),
            CommandKind.LeaseCheckpoint => ReadCheckpoint(ref reader),
            CommandKind.Alarm => ReadAlarm(ref reader),
            _ => throw new StoreCodecException($"malformed command: unknown kind {(byte)kind}"),
        };
    }

    private static PutCommand ReadPut(ref ByteReader reader)
    {
        byte[] key = reader.ReadBytes();
        byte[] value = reader.ReadBytes();
        long lease = reader.ReadSigned();
        byte flags = ReadFlags(ref reader);
        return new PutCommand
        {
            Key = key, Value = value, Lease = new LeaseId(lease),
            PrevKv = (flags & 1) != 0, IgnoreValue = (flags & 2) != 0, IgnoreLease = (flags & 4) != 0,
        };
    }

    private static DeleteRangeCommand ReadDelete(ref ByteReader reader)
    {
        byte[] key = reader.ReadBytes();
        byte[] rangeEnd = reader.ReadBytes();
        byte flags = ReadFlags(ref reader);
        return new DeleteRangeCommand { Key = key, RangeEnd = rangeEnd, PrevKv = (flags & 1) != 0 };
    }

    private static RangeCommand ReadRange(ref ByteReader reader)
    {
        byte[] key = reader.ReadBytes();
        byte[] rangeEnd = reader.ReadBytes();
        long limit = reader.ReadSigned();
        long revision = reader.ReadSigned();
        var order = (SortOrder)ReadEnum(ref reader, 2, "sort order");
        var target = (SortTarget)ReadEnum(ref reader, 4, "sort target");
        byte flags = ReadFlags(ref reader);
        return new RangeCommand
        {
            Key = key, RangeEnd = rangeEnd, Limit = limit, Revision = new Revision(revision),
            SortOrder = order, SortTarget = target, KeysOnly = (flags & 1) != 0, CountOnly = (flags & 2) != 0,
            MinModRevision = new Revision(reader.ReadSigned()), MaxModRevision = new Revision(reader.ReadSigned()),
            MinCreateRevision = new Revision(reader.ReadSigned()), MaxCreateRevision = new Revision(reader.ReadSigned()),
        };
    }

    private static TxnCommand ReadTxn(ref ByteReader reader, int depth)
    {
        if (depth > MaxNestingDepth)
        {
            throw new StoreCodecException($"malformed command: txn nesting deeper than {MaxNestingDepth}");
        }

        int compareCount = reader.ReadCount(MaxListCount, "compare");
        var compares = new Compare[compareCount];
        for (int i = 0; i < compareCount; i++)
        {
            compares[i] = new Compare
            {
                Key = reader.ReadBytes(), RangeEnd = reader.ReadBytes(),
                Target = (CompareTarget)ReadEnum(ref reader, 4, "compare target"),
                Operator = (CompareOperator)ReadEnum(ref reader, 3, "compare operator"),
                Number = reader.ReadSigned(), Value = reader.ReadBytes(),
            };
        }

        StoreCommand[] success = ReadOps(ref reader, depth);
        StoreCommand[] failure = ReadOps(ref reader, depth);
        return new TxnCommand { Compares = compares, Success = success, Failure = failure };
    }

    private static StoreCommand[] ReadOps(ref ByteReader reader, int depth)
    {
        int count = reader.ReadCount(MaxListCount, "txn op");
        var ops = new StoreCommand[count];
        for (int i = 0; i < count; i++)
        {
            StoreCommand op = ReadCommand(ref reader, depth);
            if (op is not (PutCommand or DeleteRangeCommand or RangeCommand or TxnCommand))
            {
                throw new StoreCodecException($"malformed command: a txn cannot hold a {op.GetType().Name}");
            }

            ops[i] = op;
        }

        return ops;
    }

    private static AlarmCommand ReadAlarm(ref ByteReader reader)
    {
        var action = (AlarmAction)reader.ReadByte();
        ulong member = reader.ReadVarint();
        var type = (AlarmType)reader.ReadByte();
        if (action is not (AlarmAction.Activate or AlarmAction.Deactivate) || !Enum.IsDefined(type))
        {
            throw new StoreCodecException($"malformed command: alarm action {(byte)action} or type {(byte)type} unknown");
        }

        return new AlarmCommand(action, new AlarmMember(member, type));
    }

    private static LeaseCheckpointCommand ReadCheckpoint(ref ByteReader reader)
    {
        int count = reader.ReadCount(MaxListCount, "checkpoint");
        var checkpoints = new LeaseCheckpoint[count];
        for (int i = 0; i < count; i++)
        {
            checkpoints[i] = new LeaseCheckpoint(new LeaseId(reader.ReadSigned()), reader.ReadSigned());
        }

        return new LeaseCheckpointCommand(checkpoints);
    }

    private static byte ReadFlags(ref ByteReader reader)
    {
        byte flags = reader.ReadByte();
        return flags <= 7 ? flags : throw new StoreCodecException($"malformed command: unknown flags {flags}");
    }

    private static byte ReadEnum(ref ByteReader reader, byte max, string what)
    {
        byte value = reader.ReadByte();
        return value <= max ? value : throw new StoreCodecException($"malformed command: unknown {what} {value}");
    }
}
