using System.Text;
using Distate.Transport.Codec;

namespace Distate.Transport.Tests.Codec;

/// <summary>Proves the chunk checksum is the standard CRC-32C: the published check value, and the same result however the input is split.</summary>
public sealed class Crc32CTests
{
    [Fact]
    public void Check_value_of_the_standard_is_reproduced()
    {
        // The CRC catalogue's check value for CRC-32/ISCSI (Castagnoli): the CRC of the ASCII digits 1..9.
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Running_value_over_pieces_equals_the_whole()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var whole = Crc32C.Compute(data);

        for (var split = 0; split <= data.Length; split += 37)
        {
            var running = Crc32C.Append(Crc32C.Append(Crc32C.Seed, data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(whole, Crc32C.Finish(running));
        }
    }
}
