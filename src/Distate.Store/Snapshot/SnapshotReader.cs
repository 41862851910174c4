using System.Buffers.Binary;
using Distate.Store.Codec;
using Distate.Store.Hashing;

namespace Distate.Store.Snapshot;

/// <summary>Reads a snapshot through a fixed buffer, checksumming consumed bytes; <see cref="VerifyTrailer"/> checks the CRC-32C.</summary>
internal sealed class SnapshotReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[SnapshotFormat.BufferBytes];
    private int _position;
    private int _filled;
    private Crc32C _crc = new();

    /// <summary>Reads from a stream.</summary>
    public SnapshotReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        if (_position == _filled && !Refill())
        {
            throw Corrupt("truncated");
        }

        return _buffer[_position++];
    }

    /// <summary>Reads an unsigned varint.</summary>
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

        throw Corrupt("varint too long");
    }

    /// <summary>Reads a zigzag varint.</summary>
    public long ReadSigned()
    {
        ulong raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a non-negative number no larger than a bound.</summary>
    public long ReadBounded(long max, string what)
    {
        ulong value = ReadVarint();
        return value <= (ulong)max ? (long)value : throw Corrupt($"{what} {value} exceeds {max}");
    }

    /// <summary>Reads a length-prefixed byte string of at most maxLength bytes.</summary>
    public byte[] ReadBytes(int maxLength)
    {
        int length = (int)ReadBounded(maxLength, "byte string length");
        var value = new byte[length];
        int copied = 0;
        while (copied < length)
        {
            if (_position == _filled && !Refill())
            {
                throw Corrupt("truncated");
            }

            int chunk = Math.Min(length - copied, _filled - _position);
            _buffer.AsSpan(_position, chunk).CopyTo(value.AsSpan(copied));
            _position += chunk;
            copied += chunk;
        }

        return value;
    }

    /// <summary>Checks the magic and version; returns the version (old readable versions are accepted).</summary>
    public byte ReadHeader()
    {
        foreach (byte expected in SnapshotFormat.Magic)
        {
            if (ReadByte() != expected)
            {
                throw Corrupt("not a Distate store snapshot (bad magic)");
            }
        }

        byte version = ReadByte();
        if (version < SnapshotFormat.OldestReadableVersion || version > SnapshotFormat.Version)
        {
            throw Corrupt($"unknown snapshot format version {version} (this build reads versions " +
                $"{SnapshotFormat.OldestReadableVersion} to {SnapshotFormat.Version}; a newer Distate wrote it?)");
        }

        return version;
    }

    /// <summary>Reads the trailer and compares it with the checksum of everything before it; rejects trailing data.</summary>
    public void VerifyTrailer()
    {
        _crc.Append(_buffer.AsSpan(0, _position));
        uint computed = _crc.Value;
        Span<byte> trailer = stackalloc byte[4];
        for (int i = 0; i < 4; i++)
        {
            if (_position == _filled && !RefillRaw())
            {
                throw Corrupt("truncated checksum");
            }

            trailer[i] = _buffer[_position++];
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (stored != computed)
        {
            throw Corrupt($"checksum mismatch (stored {stored:x8}, computed {computed:x8})");
        }

        if (_position != _filled || _stream.ReadByte() != -1)
        {
            throw Corrupt("trailing bytes after the checksum");
        }
    }

    /// <summary>An exception describing corruption.</summary>
    public static StoreCodecException Corrupt(string reason) => new($"corrupt snapshot: {reason}");

    private bool Refill()
    {
        _crc.Append(_buffer.AsSpan(0, _position));
        return RefillRaw();
    }

    private bool RefillRaw()
    {
        _position = 0;
        _filled = _stream.Read(_buffer, 0, _buffer.Length);
        return _filled > 0;
    }
}
