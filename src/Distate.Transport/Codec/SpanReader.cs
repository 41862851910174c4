using Distate.Raft;

namespace Distate.Transport.Codec;

/// <summary>
/// Reads codec fields from a span, throwing <see cref="TransportProtocolException"/> (never another exception) on any
/// truncation or malformed value. Invariant: 0 &lt;= Position &lt;= length of the span.
/// </summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;

    /// <summary>Starts reading at the beginning of a buffer.</summary>
    public SpanReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    /// <summary>Offset of the next unread byte.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _buffer.Length - Position;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte(string field)
    {
        if (Remaining < 1)
        {
            throw Truncated(field);
        }

        return _buffer[Position++];
    }

    /// <summary>Reads an unsigned LEB128 integer of at most ten bytes that fits in 64 bits.</summary>
    public ulong ReadVarint(string field)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var current = ReadByte(field);
            if (shift == 63 && current > 1)
            {
                throw new TransportProtocolException($"malformed message: {field} at offset {Position - 1} overflows 64 bits");
            }

            result |= (ulong)(current & 0x7F) << shift;
            if ((current & 0x80) == 0)
            {
                return result;
            }
        }

        throw new TransportProtocolException($"malformed message: {field} at offset {Position} is longer than {Varint.MaxBytes} bytes");
    }

    /// <summary>Reads a count or length and checks that at least <paramref name="minBytesEach"/> bytes per item remain, before anyone allocates for it.</summary>
    public int ReadCount(string field, int minBytesEach)
    {
        Invariant.Check(minBytesEach > 0, "each counted item takes at least one byte");
        var start = Position;
        var count = ReadVarint(field);
        if (count > (ulong)(Remaining / minBytesEach))
        {
            throw new TransportProtocolException(
                $"malformed message: {field} = {count} at offset {start} exceeds the {Remaining} bytes left in the frame");
        }

        return (int)count;
    }

    /// <summary>Copies the next bytes into a new array; the length was checked by <see cref="ReadCount"/>.</summary>
    public byte[] ReadBytes(int length, string field)
    {
        if (length > Remaining)
        {
            throw Truncated(field);
        }

        var result = _buffer.Slice(Position, length).ToArray();
        Position += length;
        return result;
    }

    /// <summary>Steps over the next bytes (a length checked by <see cref="ReadCount"/>) and returns where they start, so a caller can slice them without a copy.</summary>
    public int Skip(int length, string field)
    {
        if (length > Remaining)
        {
            throw Truncated(field);
        }

        var start = Position;
        Position += length;
        return start;
    }

    /// <summary>Reads a four-byte big-endian unsigned integer.</summary>
    public uint ReadUInt32BigEndian(string field)
    {
        if (Remaining < sizeof(uint))
        {
            throw Truncated(field);
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_buffer[Position..]);
        Position += sizeof(uint);
        return value;
    }

    private readonly TransportProtocolException Truncated(string field) =>
        new($"truncated message: {field} at offset {Position} runs past the end of the {_buffer.Length}-byte frame");
}
