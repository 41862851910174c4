namespace Distate.Store.Codec;

/// <summary>Reads what <see cref="ByteWriter"/> wrote, throwing <see cref="StoreCodecException"/> on truncated or oversized input.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Reads from a buffer.</summary>
    public ByteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>True when every byte was consumed.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw new StoreCodecException("malformed command: truncated");
        }

        return _data[_position++];
    }

    /// <summary>Reads an unsigned varint of at most 10 bytes.</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadByte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new StoreCodecException("malformed command: varint too long");
    }

    /// <summary>Reads a zigzag varint.</summary>
    public long ReadSigned()
    {
        ulong raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a count bounded by a maximum.</summary>
    public int ReadCount(int max, string what)
    {
        ulong count = ReadVarint();
        if (count > (ulong)max)
        {
            throw new StoreCodecException($"malformed command: {what} count {count} exceeds {max}");
        }

        return (int)count;
    }

    /// <summary>Reads a length-prefixed byte string into a new array.</summary>
    public byte[] ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new StoreCodecException("malformed command: byte string runs past the end");
        }

        byte[] value = _data.Slice(_position, (int)length).ToArray();
        _position += (int)length;
        return value;
    }
}
