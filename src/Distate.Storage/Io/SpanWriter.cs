using System.Buffers.Binary;

namespace Distate.Storage.Io;

/// <summary>Writes little-endian values sequentially into a span; overruns are programmer errors and throw.</summary>
internal ref struct SpanWriter
{
    private readonly Span<byte> _buffer;

    /// <summary>Starts writing at <paramref name="position"/>.</summary>
    public SpanWriter(Span<byte> buffer, int position)
    {
        _buffer = buffer;
        Position = position;
    }

    /// <summary>The offset of the next byte written.</summary>
    public int Position { get; private set; }

    /// <summary>Writes one byte.</summary>
    public void Byte(byte value) => _buffer[Position++] = value;

    /// <summary>Writes a 16-bit value.</summary>
    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[Position..], value);
        Position += 2;
    }

    /// <summary>Writes a 32-bit value.</summary>
    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[Position..], value);
        Position += 4;
    }

    /// <summary>Writes a 64-bit value.</summary>
    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[Position..], value);
        Position += 8;
    }

    /// <summary>Writes raw bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }
}
