using Distate.Raft.Quorum;

namespace Distate.Raft.Tests.Quorum;

/// <summary>Proves majority arithmetic: the value a majority reached (commit index, read rounds) and vote tallies.</summary>
public sealed class MajorityQuorumTests
{
    [Theory]
    [InlineData(new ulong[] { 5 }, 5UL)]
    [InlineData(new ulong[] { 5, 1 }, 1UL)]
    [InlineData(new ulong[] { 5, 1, 3 }, 3UL)]
    [InlineData(new ulong[] { 2, 2, 9, 9 }, 2UL)]
    [InlineData(new ulong[] { 7, 1, 4, 9, 3 }, 4UL)]
    [InlineData(new ulong[] { 0, 0, 0, 8, 8 }, 0UL)]
    public void QuorumValue_is_the_highest_value_a_majority_reached(ulong[] values, ulong expected)
    {
        Assert.Equal(expected, MajorityQuorum.QuorumValue(values.AsSpan()));
    }

    [Fact]
    public void QuorumValue_of_no_voters_waits_for_nothing()
    {
        Assert.Equal(ulong.MaxValue, MajorityQuorum.QuorumValue(Span<ulong>.Empty));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    public void Size_is_a_strict_majority(int voters, int size) => Assert.Equal(size, MajorityQuorum.Size(voters));

    [Fact]
    public void Tally_wins_loses_or_waits()
    {
        var voters = new[] { new NodeId(1), new NodeId(2), new NodeId(3), new NodeId(4), new NodeId(5) };
        var votes = new Dictionary<NodeId, bool> { [new NodeId(1)] = true, [new NodeId(2)] = true };
        Assert.Equal(VoteResult.Pending, MajorityQuorum.Tally(voters, votes));

        votes[new NodeId(9)] = true; // not a voter: ignored
        Assert.Equal(VoteResult.Pending, MajorityQuorum.Tally(voters, votes));

        votes[new NodeId(3)] = true;
        Assert.Equal(VoteResult.Won, MajorityQuorum.Tally(voters, votes));

        var against = new Dictionary<NodeId, bool> { [new NodeId(1)] = true, [new NodeId(2)] = false, [new NodeId(3)] = false };
        Assert.Equal(VoteResult.Pending, MajorityQuorum.Tally(voters, against));
        against[new NodeId(4)] = false;
        Assert.Equal(VoteResult.Lost, MajorityQuorum.Tally(voters, against));
    }
}
