using System.Buffers.Binary;
using System.Numerics;

namespace Distate.Store.Hashing;

/// <summary>Incremental CRC-32C (Castagnoli), the checksum etcd uses for HashKV, built on the hardware-accelerated
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> (System.IO.Hashing is not among our packages).</summary>
internal struct Crc32C
{
    private uint _state;

    /// <summary>Starts a checksum.</summary>
    public Crc32C()
    {
        _state = uint.MaxValue;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly uint Value => ~_state;

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        uint state = _state;
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        _state = state;
    }

    /// <summary>Adds a 64-bit number as 8 little-endian bytes.</summary>
    public void Append(long value) => _state = BitOperations.Crc32C(_state, (ulong)value);

    /// <summary>The checksum of one buffer.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.Value;
    }
}
