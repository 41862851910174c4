using System.Buffers.Binary;
using System.Numerics;

namespace Distate.Transport.Codec;

/// <summary>
/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and etcd's WAL) through <see cref="BitOperations.Crc32C(uint, ulong)"/>,
/// which uses the SSE4.2 or ARMv8 CRC instruction when there is one. A running value starts at <see cref="Seed"/>, is
/// fed with <see cref="Append"/> and ends with <see cref="Finish"/>, so a frame's header and data can be checked in
/// one pass without being copied together.
/// </summary>
internal static class Crc32C
{
    /// <summary>The running value before any byte (all ones, as the standard CRC-32C starts).</summary>
    public const uint Seed = uint.MaxValue;

    /// <summary>The CRC-32C of a whole buffer.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));

    /// <summary>Feeds bytes into a running value, eight at a time where it can.</summary>
    public static uint Append(uint running, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            running = BitOperations.Crc32C(running, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var value in data)
        {
            running = BitOperations.Crc32C(running, value);
        }

        return running;
    }

    /// <summary>Turns a running value into the checksum (the final inversion of the standard CRC-32C).</summary>
    public static uint Finish(uint running) => ~running;
}
