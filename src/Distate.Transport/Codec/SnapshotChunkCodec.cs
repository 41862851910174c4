using System.Buffers.Binary;
using Distate.Raft;
using Distate.Transport.Protocol;

namespace Distate.Transport.Codec;

/// <summary>
/// Encoding of a snapshot chunk frame's payload (layout in docs/transport.md):
/// <c>u8 frame kind (2), u8 chunk version (1), u32 CRC-32C of every byte after it, varint snapshot id, varint offset,
/// varint total length, on the first chunk (offset 0) varint envelope length and the envelope, varint data length,
/// data</c>. The envelope is the Snapshot message encoded by <see cref="RaftMessageCodec"/> with empty snapshot data,
/// so the first chunk carries every field but the data. Reading checks the checksum before trusting any field, then
/// the lengths against the frame and each other, and never allocates beyond the envelope.
/// </summary>
internal static class SnapshotChunkCodec
{
    /// <summary>The chunk layout version written after the frame kind.</summary>
    public const byte Version = 1;

    /// <summary>Most bytes a chunk payload holds besides its data and envelope: kind, version, checksum, three ten-byte varints, a five-byte data length.</summary>
    public const int MaxHeaderBytes = 1 + 1 + sizeof(uint) + (3 * Varint.MaxBytes) + MaxLengthVarintBytes;

    private const int MaxLengthVarintBytes = 5;
    private const int ChecksumAt = 2;
    private const int ChecksummedFrom = ChecksumAt + sizeof(uint);

    /// <summary>Most header bytes of a chunk (everything but its data) when it carries an envelope of the given size (0: no envelope).</summary>
    public static int MaxHeaderBytesWith(int envelopeBytes) =>
        envelopeBytes == 0 ? MaxHeaderBytes : MaxHeaderBytes + MaxLengthVarintBytes + envelopeBytes;

    /// <summary>
    /// Writes everything of a chunk payload but its data at the start of <paramref name="destination"/> (at least
    /// <see cref="MaxHeaderBytesWith"/> bytes) and returns the bytes written; the checksum also covers <paramref name="data"/>,
    /// which the caller sends right after, uncopied.
    /// </summary>
    public static int WriteHeader(in SnapshotChunkHeader header, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Invariant.Check(header.SnapshotId > 0, "snapshot ids start at 1");
        Invariant.Check(header.Offset >= 0 && header.Offset + header.DataBytes <= header.TotalBytes, "a chunk lies inside its snapshot");
        Invariant.Check(header.IsFirst == !envelope.IsEmpty, "exactly the first chunk carries the envelope");
        Invariant.Check(data.Length == header.DataBytes && (data.Length > 0 || header.TotalBytes == 0), "only an empty snapshot has an empty chunk");
        destination[0] = (byte)FrameKind.SnapshotChunk;
        destination[1] = Version;
        var position = ChecksummedFrom;
        position += Varint.Write(header.SnapshotId, destination[position..]);
        position += Varint.Write((ulong)header.Offset, destination[position..]);
        position += Varint.Write((ulong)header.TotalBytes, destination[position..]);
        if (header.IsFirst)
        {
            position += Varint.Write((ulong)envelope.Length, destination[position..]);
            envelope.CopyTo(destination[position..]);
            position += envelope.Length;
        }

        position += Varint.Write((ulong)data.Length, destination[position..]);
        var checksum = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, destination[ChecksummedFrom..position]), data));
        BinaryPrimitives.WriteUInt32BigEndian(destination[ChecksumAt..], checksum);
        return position;
    }

    /// <summary>Decodes one chunk payload (frame kind included); throws <see cref="TransportProtocolException"/> on anything malformed.</summary>
    public static SnapshotChunk Read(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        Invariant.Check(!span.IsEmpty && span[0] == (byte)FrameKind.SnapshotChunk, "only chunk frames are decoded as chunks");
        var reader = new SpanReader(span);
        reader.ReadByte("frame kind");
        var version = reader.ReadByte("chunk version");
        if (version != Version)
        {
            throw new TransportProtocolException($"unsupported snapshot chunk version {version}: this node reads version {Version}; upgrade the older node");
        }

        var expected = reader.ReadUInt32BigEndian("chunk checksum");
        var actual = Crc32C.Compute(span[ChecksummedFrom..]);
        if (actual != expected)
        {
            throw new TransportProtocolException(
                $"snapshot chunk checksum mismatch: CRC-32C of its {span.Length - ChecksummedFrom} bytes is {actual:x8}, the frame says {expected:x8}; the data was corrupted in transit");
        }

        var id = reader.ReadVarint("snapshot id");
        var offset = ReadLength(ref reader, "chunk offset");
        var total = ReadLength(ref reader, "snapshot total length");
        if (id == 0 || offset > total)
        {
            throw new TransportProtocolException($"malformed snapshot chunk: snapshot id {id} (must be positive), offset {offset} beyond total {total}");
        }

        var envelope = offset == 0 ? ReadEnvelope(ref reader, span, id) : null;
        var dataBytes = reader.ReadCount("chunk data length", 1);
        var dataAt = reader.Skip(dataBytes, "chunk data");
        if (reader.Remaining != 0 || dataBytes > total - offset || (dataBytes == 0 && total != 0))
        {
            throw new TransportProtocolException(
                $"malformed snapshot chunk: snapshot {id} chunk of {dataBytes} bytes at offset {offset} with {reader.Remaining} trailing bytes does not fit a snapshot of {total} bytes (chunks are non-empty, inside the snapshot, and fill their frame)");
        }

        return new SnapshotChunk(new SnapshotChunkHeader(id, offset, total, dataBytes), envelope, payload.Slice(dataAt, dataBytes));
    }

    /// <summary>Reads the first chunk's envelope: a Snapshot message whose snapshot data is empty.</summary>
    private static Message ReadEnvelope(ref SpanReader reader, ReadOnlySpan<byte> payload, ulong id)
    {
        var length = reader.ReadCount("envelope length", 1);
        var at = reader.Skip(length, "envelope");
        Message envelope;
        try
        {
            envelope = RaftMessageCodec.Read(payload.Slice(at, length));
        }
        catch (TransportProtocolException exception)
        {
            throw new TransportProtocolException($"snapshot {id} envelope: {exception.Message}", exception);
        }

        if (envelope.Type != MessageType.Snapshot || envelope.Snapshot is not { Data.IsEmpty: true })
        {
            throw new TransportProtocolException(
                $"malformed snapshot chunk: snapshot {id} envelope is a {envelope.Type} message {(envelope.Snapshot is null ? "without a snapshot" : "with snapshot data")}; expected a Snapshot message with empty data");
        }

        return envelope;
    }

    /// <summary>Reads a varint offset or length that must fit a long.</summary>
    private static long ReadLength(ref SpanReader reader, string field)
    {
        var value = reader.ReadVarint(field);
        return value <= long.MaxValue ? (long)value : throw new TransportProtocolException($"malformed snapshot chunk: {field} {value} is beyond any snapshot");
    }
}
