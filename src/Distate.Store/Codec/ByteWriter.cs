using System.Buffers;

namespace Distate.Store.Codec;

/// <summary>Appends varints and length-prefixed bytes to a growable buffer.</summary>
internal sealed class ByteWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public ByteWriter(int capacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(capacity);
    }

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes an unsigned LEB128 varint.</summary>
    public void WriteVarint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int written = 0;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[written++] = (byte)value;
        _buffer.Advance(written);
    }

    /// <summary>Writes a signed number as a zigzag varint.</summary>
    public void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a length-prefixed byte string.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }
}
