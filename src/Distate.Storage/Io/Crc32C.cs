using System.Buffers.Binary;
using System.Numerics;

namespace Distate.Storage.Io;

/// <summary>CRC-32C (Castagnoli) over byte spans, hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        var offset = 0;
        while (data.Length - offset >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]));
            offset += 8;
        }

        while (offset < data.Length)
        {
            crc = BitOperations.Crc32C(crc, data[offset]);
            offset++;
        }

        return ~crc;
    }
}
