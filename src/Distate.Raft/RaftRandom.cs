namespace Distate.Raft;

/// <summary>A small seeded generator (xorshift64*): the core's only source of randomness, so runs replay exactly.</summary>
internal sealed class RaftRandom
{
    private ulong _state;

    /// <summary>Creates a generator; any seed works (zero is remapped).</summary>
    public RaftRandom(ulong seed) => _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    /// <summary>A uniform integer in [0, exclusiveMax).</summary>
    public int Next(int exclusiveMax)
    {
        Invariant.Check(exclusiveMax > 0, "range must be positive");
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        var value = _state * 0x2545F4914F6CDD1DUL;
        return (int)(value % (ulong)exclusiveMax);
    }
}
