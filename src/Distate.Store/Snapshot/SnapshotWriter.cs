using System.Buffers.Binary;
using Distate.Store.Hashing;

namespace Distate.Store.Snapshot;

/// <summary>Writes a snapshot through a fixed buffer, checksumming every byte; <see cref="Finish"/> appends the CRC-32C.</summary>
internal sealed class SnapshotWriter
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[SnapshotFormat.BufferBytes];
    private int _used;
    private Crc32C _crc = new();

    /// <summary>Writes to a stream.</summary>
    public SnapshotWriter(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Writes raw bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
        }

        if (bytes.Length > _buffer.Length)
        {
            _crc.Append(bytes);
            _stream.Write(bytes);
            return;
        }

        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value) => WriteRaw([value]);

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteVarint(ulong value)
    {
        Span<byte> scratch = stackalloc byte[10];
        int length = 0;
        while (value >= 0x80)
        {
            scratch[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        scratch[length++] = (byte)value;
        WriteRaw(scratch[..length]);
    }

    /// <summary>Writes a zigzag varint.</summary>
    public void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a length-prefixed byte string.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes the checksum trailer and flushes.</summary>
    public void Finish()
    {
        Flush();
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc.Value);
        _stream.Write(trailer);
        _stream.Flush();
    }

    private void Flush()
    {
        _crc.Append(_buffer.AsSpan(0, _used));
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
