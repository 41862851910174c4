using System.Buffers.Binary;
using Distate.Raft;

namespace Distate.Node.Envelope;

/// <summary>
/// The explicit, versioned envelope every normal log entry carries, so nothing is told apart by a magic first byte:
/// <code>
/// u8  format version (1)
/// u8  kind            (EntryKind)
/// u64 origin          (the member that proposed it; 0 for none), little-endian
/// u64 request id      (the origin's id for the waiting request; 0 for none), little-endian
/// ... payload         (the rest of the entry, interpreted by kind)
/// </code>
/// Origin and request id let the member that proposed an entry find its waiting request when it applies the entry,
/// wherever the entry was appended (locally, or by the leader after forwarding).
/// </summary>
/// <param name="Kind">What the payload is.</param>
/// <param name="Origin">The member that proposed it (None for housekeeping nobody waits on).</param>
/// <param name="RequestId">The origin's request id (0 for none).</param>
/// <param name="Payload">The payload.</param>
public readonly record struct EntryEnvelope(EntryKind Kind, NodeId Origin, ulong RequestId, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The format version written first; decoding refuses any other.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Bytes the envelope adds to its payload.</summary>
    public const int HeaderBytes = 2 + 8 + 8;

    /// <summary>Encodes the envelope and its payload into one entry's data.</summary>
    public byte[] Encode()
    {
        var data = new byte[HeaderBytes + Payload.Length];
        WriteHeader(data, Kind, Origin, RequestId);
        Payload.Span.CopyTo(data.AsSpan(HeaderBytes));
        return data;
    }

    /// <summary>Writes the header into the first <see cref="HeaderBytes"/> of <paramref name="entry"/>, whose rest is
    /// already the payload (encoded in place, so a large payload is not copied again).</summary>
    public static void WriteHeader(Span<byte> entry, EntryKind kind, NodeId origin, ulong requestId)
    {
        if (entry.Length < HeaderBytes)
        {
            throw new ArgumentException($"an entry needs at least the {HeaderBytes}-byte envelope header", nameof(entry));
        }

        entry[0] = FormatVersion;
        entry[1] = (byte)kind;
        BinaryPrimitives.WriteUInt64LittleEndian(entry[2..], origin.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[10..], requestId);
    }

    /// <summary>Writes <paramref name="origin"/> and <paramref name="requestId"/> into an encoded envelope in place (a
    /// forwarded proposal is matched by them when it is applied).</summary>
    public static void Stamp(Span<byte> data, NodeId origin, ulong requestId)
    {
        if (data.Length < HeaderBytes || data[0] != FormatVersion)
        {
            throw new FormatException("only an encoded entry envelope can be stamped with its origin and request id");
        }

        BinaryPrimitives.WriteUInt64LittleEndian(data[2..], origin.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(data[10..], requestId);
    }

    /// <summary>Decodes an entry's data (the payload aliases <paramref name="data"/>); throws <see cref="FormatException"/>
    /// when it is not an envelope of a known version and kind.</summary>
    public static EntryEnvelope Decode(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        if (span.Length < HeaderBytes)
        {
            throw new FormatException($"a log entry of {span.Length} bytes is shorter than the {HeaderBytes}-byte entry envelope");
        }

        if (span[0] != FormatVersion)
        {
            throw new FormatException($"a log entry has envelope format {span[0]}; this version of Distate reads format {FormatVersion}");
        }

        var kind = (EntryKind)span[1];
        if (!Enum.IsDefined(kind))
        {
            throw new FormatException($"a log entry has unknown kind {span[1]}");
        }

        return new EntryEnvelope(
            kind, new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(span[2..])), BinaryPrimitives.ReadUInt64LittleEndian(span[10..]), data[HeaderBytes..]);
    }
}
