namespace Distate.Load;

/// <summary>
/// A xorshift64* step: a tiny, allocation-free, seedable key picker. Not for security — only to spread keys
/// uniformly without sharing a <see cref="Random"/> between clients.
/// </summary>
internal static class FastRandom
{
    /// <summary>Advances <paramref name="state"/> (which must not be 0) and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A seed for client <paramref name="client"/>, never 0.</summary>
    public static ulong Seed(int client) => (0x9E3779B97F4A7C15UL * (ulong)(client + 1)) | 1;
}
