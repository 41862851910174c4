using System.Buffers.Binary;

namespace Distate.Storage.Io;

/// <summary>Reads little-endian values sequentially from a span; reading past the end throws <see cref="FormatException"/>.</summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Starts reading at <paramref name="position"/>.</summary>
    public SpanReader(ReadOnlySpan<byte> buffer, int position)
    {
        _buffer = buffer;
        _position = position;
    }

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True when every byte was read.</summary>
    public readonly bool AtEnd => _position == _buffer.Length;

    /// <summary>Reads one byte.</summary>
    public byte Byte() => Take(1)[0];

    /// <summary>Reads a 16-bit value.</summary>
    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a 32-bit value.</summary>
    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit value.</summary>
    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads <paramref name="count"/> bytes into a new array.</summary>
    public byte[] Bytes(int count) => Take(count).ToArray();

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"record truncated: wanted {count} bytes, {Remaining} left");
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
