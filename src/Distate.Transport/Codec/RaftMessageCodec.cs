using Distate.Raft;

namespace Distate.Transport.Codec;

/// <summary>
/// Compact, versioned binary encoding of <see cref="Message"/> (layout in docs/transport.md):
/// <c>version u8, type u8, flags u8, varint From To Term LogTerm Index Commit RejectHint Context, varint entry count,
/// entries (varint Index, varint Term, u8 Type, varint length, bytes), then, if flagged, the snapshot (varint Index,
/// varint Term, voters, learners, varint length, bytes)</c>. Reading validates every count against the bytes left
/// before allocating, so a hostile or truncated frame costs at most its own size.
/// </summary>
public static class RaftMessageCodec
{
    /// <summary>The codec version written in the first byte of every encoded message.</summary>
    public const byte Version = 1;

    /// <summary>
    /// Most bytes a message encodes to apart from its entries' data and its snapshot section: version, type and flags,
    /// eight ten-byte varints and a five-byte entry count (at most int.MaxValue entries).
    /// </summary>
    public const int MaxHeaderBytes = 3 + (8 * Varint.MaxBytes) + MaxLengthVarintBytes;

    /// <summary>Most bytes one entry encodes to beyond its data: index and term varints, type byte, length varint.</summary>
    public const int MaxEntryOverheadBytes = (2 * Varint.MaxBytes) + 1 + MaxLengthVarintBytes;

    /// <summary>Longest varint of a length or count (a non-negative int).</summary>
    private const int MaxLengthVarintBytes = 5;

    /// <summary>Smallest encoded entry: index, term, type and length of one byte each.</summary>
    private const int MinEntryBytes = 4;

    private const byte FlagReject = 0x01;
    private const byte FlagSnapshot = 0x02;
    private const byte KnownFlags = FlagReject | FlagSnapshot;
    private const byte LastMessageType = (byte)MessageType.ProposeResponse;

    /// <summary>Exact number of bytes <see cref="Write"/> produces for a message.</summary>
    public static int Measure(Message message) => MeasureCore(message, withSnapshotData: true);

    /// <summary>Exact number of bytes <see cref="EncodeEnvelope"/> produces: the message with its snapshot data left out.</summary>
    internal static int MeasureEnvelope(Message message) => MeasureCore(message, withSnapshotData: false);

    /// <summary>
    /// Encodes a Snapshot message as if its snapshot data were empty: the envelope a first snapshot chunk carries, so
    /// every other field goes through this codec and its checks, and the data follows in chunks.
    /// </summary>
    internal static byte[] EncodeEnvelope(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Invariant.Check(message.Snapshot is not null, "only a message with a snapshot has an envelope");
        var envelope = new byte[MeasureEnvelope(message)];
        var written = WriteCore(message, envelope, withSnapshotData: false);
        Invariant.Check(written == envelope.Length, "the codec writes exactly what it measured");
        return envelope;
    }

    /// <summary>Encodes a message at the start of <paramref name="destination"/> (at least <see cref="Measure"/> bytes) and returns the bytes written.</summary>
    public static int Write(Message message, Span<byte> destination) => WriteCore(message, destination, withSnapshotData: true);

    private static int MeasureCore(Message message, bool withSnapshotData)
    {
        ArgumentNullException.ThrowIfNull(message);
        long size = 3 + Varint.Measure(message.From.Value) + Varint.Measure(message.To.Value) + Varint.Measure(message.Term.Value)
            + Varint.Measure(message.LogTerm.Value) + Varint.Measure(message.Index.Value) + Varint.Measure(message.Commit.Value)
            + Varint.Measure(message.RejectHint.Value) + Varint.Measure(message.Context)
            + Varint.Measure((ulong)message.Entries.Length);
        foreach (var entry in message.Entries)
        {
            size += Varint.Measure(entry.Index.Value) + Varint.Measure(entry.Term.Value) + 1
                + Varint.Measure((ulong)entry.Data.Length) + entry.Data.Length;
        }

        if (message.Snapshot is { } snapshot)
        {
            size += MeasureSnapshot(snapshot, withSnapshotData);
        }

        if (size > int.MaxValue)
        {
            throw new ArgumentException($"message {message.Type} to {message.To} encodes to {size} bytes, beyond the 2 GiB a frame can hold", nameof(message));
        }

        return (int)size;
    }

    private static int WriteCore(Message message, Span<byte> destination, bool withSnapshotData)
    {
        ArgumentNullException.ThrowIfNull(message);
        Invariant.Check(Enum.IsDefined(message.Type), "only defined message types are encoded");
        var position = 0;
        destination[position++] = Version;
        destination[position++] = (byte)message.Type;
        destination[position++] = (byte)((message.Reject ? FlagReject : 0) | (message.Snapshot is null ? 0 : FlagSnapshot));
        position += Varint.Write(message.From.Value, destination[position..]);
        position += Varint.Write(message.To.Value, destination[position..]);
        position += Varint.Write(message.Term.Value, destination[position..]);
        position += Varint.Write(message.LogTerm.Value, destination[position..]);
        position += Varint.Write(message.Index.Value, destination[position..]);
        position += Varint.Write(message.Commit.Value, destination[position..]);
        position += Varint.Write(message.RejectHint.Value, destination[position..]);
        position += Varint.Write(message.Context, destination[position..]);
        position += Varint.Write((ulong)message.Entries.Length, destination[position..]);
        foreach (var entry in message.Entries)
        {
            position += Varint.Write(entry.Index.Value, destination[position..]);
            position += Varint.Write(entry.Term.Value, destination[position..]);
            destination[position++] = (byte)entry.Type;
            position += WriteBytes(entry.Data.Span, destination[position..]);
        }

        if (message.Snapshot is { } snapshot)
        {
            position += WriteSnapshot(snapshot, destination[position..], withSnapshotData);
        }

        return position;
    }

    /// <summary>Decodes one message that fills <paramref name="source"/> exactly; throws <see cref="TransportProtocolException"/> on anything else.</summary>
    public static Message Read(ReadOnlySpan<byte> source)
    {
        var reader = new SpanReader(source);
        var version = reader.ReadByte("version");
        if (version != Version)
        {
            throw new TransportProtocolException($"unsupported message codec version {version}: this node reads version {Version}; upgrade the older node");
        }

        var type = reader.ReadByte("type");
        if (type > LastMessageType)
        {
            throw new TransportProtocolException($"malformed message: unknown message type {type}");
        }

        var flags = reader.ReadByte("flags");
        if ((flags & ~KnownFlags) != 0)
        {
            throw new TransportProtocolException($"malformed message: unknown flags 0x{flags:x2}");
        }

        var message = ReadBody(ref reader, (MessageType)type, flags);
        if (reader.Remaining != 0)
        {
            throw new TransportProtocolException($"malformed message: {reader.Remaining} trailing bytes after a {type} message");
        }

        return message;
    }

    private static Message ReadBody(ref SpanReader reader, MessageType type, byte flags)
    {
        var from = new NodeId(reader.ReadVarint("from"));
        var to = new NodeId(reader.ReadVarint("to"));
        var term = new Term(reader.ReadVarint("term"));
        var logTerm = new Term(reader.ReadVarint("log term"));
        var index = new LogIndex(reader.ReadVarint("index"));
        var commit = new LogIndex(reader.ReadVarint("commit"));
        var rejectHint = new LogIndex(reader.ReadVarint("reject hint"));
        var context = reader.ReadVarint("context");
        var entries = ReadEntries(ref reader);
        var snapshot = (flags & FlagSnapshot) != 0 ? ReadSnapshot(ref reader) : null;
        return new Message
        {
            Type = type, From = from, To = to, Term = term, LogTerm = logTerm, Index = index, Commit = commit,
            RejectHint = rejectHint, Context = context, Entries = entries, Snapshot = snapshot, Reject = (flags & FlagReject) != 0,
        };
    }

    private static Entry[] ReadEntries(ref SpanReader reader)
    {
        var count = reader.ReadCount("entry count", MinEntryBytes);
        if (count == 0)
        {
            return [];
        }

        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            var index = new LogIndex(reader.ReadVarint("entry index"));
            var term = new Term(reader.ReadVarint("entry term"));
            var entryType = reader.ReadByte("entry type");
            if (entryType > (byte)EntryType.ConfChange)
            {
                throw new TransportProtocolException($"malformed message: entry {i} has unknown entry type {entryType}");
            }

            var data = reader.ReadBytes(reader.ReadCount("entry length", 1), "entry data");
            entries[i] = new Entry(index, term, (EntryType)entryType, data);
        }

        return entries;
    }

    private static int MeasureSnapshot(Snapshot snapshot, bool withData)
    {
        var conf = snapshot.Metadata.ConfState;
        var dataBytes = withData ? snapshot.Data.Length : 0;
        var size = Varint.Measure(snapshot.Metadata.Index.Value) + Varint.Measure(snapshot.Metadata.Term.Value)
            + Varint.Measure((ulong)conf.Voters.Length) + Varint.Measure((ulong)conf.Learners.Length)
            + Varint.Measure((ulong)dataBytes) + dataBytes;
        foreach (var voter in conf.Voters)
        {
            size += Varint.Measure(voter.Value);
        }

        foreach (var learner in conf.Learners)
        {
            size += Varint.Measure(learner.Value);
        }

        return size;
    }

    private static int WriteSnapshot(Snapshot snapshot, Span<byte> destination, bool withData)
    {
        var conf = snapshot.Metadata.ConfState;
        var position = Varint.Write(snapshot.Metadata.Index.Value, destination);
        position += Varint.Write(snapshot.Metadata.Term.Value, destination[position..]);
        position += WriteIds(conf.Voters, destination[position..]);
        position += WriteIds(conf.Learners, destination[position..]);
        position += WriteBytes(withData ? snapshot.Data.Span : [], destination[position..]);
        return position;
    }

    private static Snapshot ReadSnapshot(ref SpanReader reader)
    {
        var index = new LogIndex(reader.ReadVarint("snapshot index"));
        var term = new Term(reader.ReadVarint("snapshot term"));
        var voters = ReadIds(ref reader, "voter");
        var learners = ReadIds(ref reader, "learner");
        foreach (var learner in learners)
        {
            if (Array.BinarySearch(voters, learner) >= 0)
            {
                throw new TransportProtocolException($"malformed message: snapshot membership lists node {learner} as both voter and learner");
            }
        }

        var data = reader.ReadBytes(reader.ReadCount("snapshot length", 1), "snapshot data");
        return new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, learners)), data);
    }

    private static int WriteIds(NodeId[] ids, Span<byte> destination)
    {
        var position = Varint.Write((ulong)ids.Length, destination);
        foreach (var id in ids)
        {
            position += Varint.Write(id.Value, destination[position..]);
        }

        return position;
    }

    /// <summary>Reads a strictly increasing list of non-zero ids, as <see cref="ConfState"/> keeps them.</summary>
    private static NodeId[] ReadIds(ref SpanReader reader, string role)
    {
        var count = reader.ReadCount(role + " count", 1);
        var ids = new NodeId[count];
        ulong previous = 0;
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadVarint(role + " id");
            if (id <= previous)
            {
                throw new TransportProtocolException($"malformed message: snapshot {role} ids must be non-zero and strictly increasing, got {id} after {previous}");
            }

            ids[i] = new NodeId(id);
            previous = id;
        }

        return ids;
    }

    private static int WriteBytes(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var position = Varint.Write((ulong)data.Length, destination);
        data.CopyTo(destination[position..]);
        return position + data.Length;
    }
}
