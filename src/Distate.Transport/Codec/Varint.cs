using System.Numerics;

namespace Distate.Transport.Codec;

/// <summary>Unsigned LEB128 integers: 7 bits per byte, low groups first, high bit set on every byte but the last.</summary>
internal static class Varint
{
    /// <summary>Longest encoding of a 64-bit value.</summary>
    public const int MaxBytes = 10;

    /// <summary>Bytes needed to encode a value.</summary>
    public static int Measure(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <summary>Writes a value at the start of a span and returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> destination)
    {
        var written = 0;
        while (value >= 0x80)
        {
            destination[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[written++] = (byte)value;
        return written;
    }
}
