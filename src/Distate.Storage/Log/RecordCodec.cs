using System.Buffers.Binary;
using Distate.Raft;
using Distate.Storage.Io;

namespace Distate.Storage.Log;

/// <summary>
/// Encodes log records into FasterLog payloads and back. Layout (little-endian): u32 CRC-32C of everything after it,
/// u8 kind, u8 flags (bit 0: hard state present), u16 zero, [u64 term, u64 vote, u64 commit], then the kind's body.
/// </summary>
internal static class RecordCodec
{
    private const byte HasHardStateFlag = 1;
    private const int FixedHeaderBytes = 8;

    /// <summary>The exact encoded size of a record.</summary>
    public static int SizeOf(LogRecord record)
    {
        var size = FixedHeaderBytes + (record.HardState is null ? 0 : 24);
        return record.Kind switch
        {
            RecordKind.Batch => checked(size + RecordCodecLimits.BatchOverheadBytes + (int)EntriesBytes(record.Entries)),
            RecordKind.Snapshot => size + SnapshotBytes(record.Snapshot!),
            RecordKind.Base => size + 1 + 8 + 8 + 8 + SnapshotBytes(record.Snapshot!),
            RecordKind.Discard => size + 8,
            _ => throw new InvariantViolationException($"unknown record kind {record.Kind}"),
        };
    }

    /// <summary>Bytes the entries take inside a batch.</summary>
    public static long EntriesBytes(IReadOnlyList<Entry> entries)
    {
        long total = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            total += RecordCodecLimits.EntryOverheadBytes + entries[i].Data.Length;
        }

        return total;
    }

    /// <summary>Encodes a record into a new array, checksummed; the result decodes back to the same record.</summary>
    public static byte[] Encode(LogRecord record)
    {
        var buffer = new byte[SizeOf(record)];
        var writer = new SpanWriter(buffer, 4);
        writer.Byte((byte)record.Kind);
        writer.Byte(record.HardState is null ? (byte)0 : HasHardStateFlag);
        writer.UInt16(0);
        if (record.HardState is { } hs)
        {
            writer.UInt64(hs.Term.Value);
            writer.UInt64(hs.Vote.Value);
            writer.UInt64(hs.Commit.Value);
        }

        WriteBody(ref writer, record);
        Invariant.Check(writer.Position == buffer.Length, "encoded size must match the computed size");
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Crc32C.Compute(buffer.AsSpan(4)));
        return buffer;
    }

    /// <summary>Decodes a record; false when the checksum or structure is wrong (torn or corrupted).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out LogRecord? record)
    {
        record = null;
        if (payload.Length < FixedHeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(payload) != Crc32C.Compute(payload[4..]))
        {
            return false;
        }

        try
        {
            record = ReadRecord(payload);
            return true;
        }
        catch (FormatException)
        {
            return false; // Checksum matched but the body is malformed: treated like any damaged record.
        }
    }

    private static LogRecord ReadRecord(ReadOnlySpan<byte> payload)
    {
        var reader = new SpanReader(payload, 4);
        var kind = (RecordKind)reader.Byte();
        var flags = reader.Byte();
        if (reader.UInt16() != 0 || (flags & ~HasHardStateFlag) != 0)
        {
            throw new FormatException("unknown record flags");
        }

        HardState? hs = (flags & HasHardStateFlag) != 0
            ? new HardState(new Term(reader.UInt64()), new NodeId(reader.UInt64()), new LogIndex(reader.UInt64()))
            : null;
        var record = kind switch
        {
            RecordKind.Batch => new LogRecord { Kind = kind, HardState = hs, Entries = ReadEntries(ref reader) },
            RecordKind.Snapshot => new LogRecord { Kind = kind, HardState = hs, Snapshot = ReadSnapshot(ref reader) },
            RecordKind.Base => ReadBase(ref reader, hs),
            RecordKind.Discard => new LogRecord { Kind = kind, HardState = hs, DiscardedAddress = (long)reader.UInt64() },
            _ => throw new FormatException($"unknown record kind {(byte)kind}"),
        };
        if (!reader.AtEnd)
        {
            throw new FormatException("trailing bytes after record body");
        }

        return record;
    }

    private static void WriteBody(ref SpanWriter writer, LogRecord record)
    {
        switch (record.Kind)
        {
            case RecordKind.Batch:
                WriteEntries(ref writer, record.Entries);
                break;
            case RecordKind.Snapshot:
                WriteSnapshot(ref writer, record.Snapshot!);
                break;
            case RecordKind.Base:
                writer.Byte((byte)record.BaseKind);
                writer.UInt64(record.BaseIndex.Value);
                writer.UInt64(record.BaseTerm.Value);
                writer.UInt64((ulong)record.ReplayFrom);
                WriteSnapshot(ref writer, record.Snapshot!);
                break;
            case RecordKind.Discard:
                writer.UInt64((ulong)record.DiscardedAddress);
                break;
            default:
                throw new InvariantViolationException($"unknown record kind {record.Kind}");
        }
    }

    private static void WriteEntries(ref SpanWriter writer, IReadOnlyList<Entry> entries)
    {
        writer.UInt64(entries.Count == 0 ? 0 : entries[0].Index.Value);
        writer.UInt32((uint)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            Invariant.Check(i == 0 || entry.Index == entries[i - 1].Index.Next, "batch entries must be contiguous");
            writer.UInt64(entry.Term.Value);
            writer.Byte((byte)entry.Type);
            writer.UInt32((uint)entry.Data.Length);
            writer.Bytes(entry.Data.Span);
        }
    }

    private static Entry[] ReadEntries(ref SpanReader reader)
    {
        var first = new LogIndex(reader.UInt64());
        var count = reader.UInt32();
        if (count > (uint)(reader.Remaining / RecordCodecLimits.EntryOverheadBytes))
        {
            throw new FormatException("entry count exceeds record size");
        }

        var entries = new Entry[count];
        for (var i = 0u; i < count; i++)
        {
            var term = new Term(reader.UInt64());
            var type = (EntryType)reader.Byte();
            var data = reader.Bytes((int)reader.UInt32());
            entries[i] = new Entry(first + i, term, type, data);
        }

        return entries;
    }

    private static LogRecord ReadBase(ref SpanReader reader, HardState? hs)
    {
        var baseKind = (BaseKind)reader.Byte();
        if (baseKind is not (BaseKind.Compacted or BaseKind.SnapshotApplied))
        {
            throw new FormatException($"unknown base kind {(byte)baseKind}");
        }

        return new LogRecord
        {
            Kind = RecordKind.Base,
            HardState = hs,
            BaseKind = baseKind,
            BaseIndex = new LogIndex(reader.UInt64()),
            BaseTerm = new Term(reader.UInt64()),
            ReplayFrom = (long)reader.UInt64(),
            Snapshot = ReadSnapshot(ref reader),
        };
    }

    private static int SnapshotBytes(SnapshotReference snapshot) =>
        8 + 8 + 4 + 4 + 4 + (8 * snapshot.Metadata.ConfState.Voters.Length) + 4 + (8 * snapshot.Metadata.ConfState.Learners.Length);

    private static void WriteSnapshot(ref SpanWriter writer, SnapshotReference snapshot)
    {
        writer.UInt64(snapshot.Metadata.Index.Value);
        writer.UInt64(snapshot.Metadata.Term.Value);
        writer.UInt32(snapshot.DataCrc);
        writer.UInt32((uint)snapshot.DataLength);
        WriteIds(ref writer, snapshot.Metadata.ConfState.Voters);
        WriteIds(ref writer, snapshot.Metadata.ConfState.Learners);
    }

    private static SnapshotReference ReadSnapshot(ref SpanReader reader)
    {
        var index = new LogIndex(reader.UInt64());
        var term = new Term(reader.UInt64());
        var crc = reader.UInt32();
        var length = reader.UInt32();
        if (length > int.MaxValue)
        {
            throw new FormatException("snapshot length out of range");
        }

        var voters = ReadIds(ref reader);
        var learners = ReadIds(ref reader);
        return new SnapshotReference(new SnapshotMetadata(index, term, new ConfState(voters, learners)), crc, (int)length);
    }

    private static void WriteIds(ref SpanWriter writer, NodeId[] ids)
    {
        writer.UInt32((uint)ids.Length);
        foreach (var id in ids)
        {
            writer.UInt64(id.Value);
        }
    }

    private static NodeId[] ReadIds(ref SpanReader reader)
    {
        var count = reader.UInt32();
        if (count > (uint)(reader.Remaining / 8))
        {
            throw new FormatException("member count exceeds record size");
        }

        var ids = new NodeId[count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = new NodeId(reader.UInt64());
        }

        return ids;
    }
}
