namespace Distate.Raft.Quorum;

/// <summary>The outcome of counting votes.</summary>
internal enum VoteResult : byte
{
    /// <summary>Neither a majority for nor against yet.</summary>
    Pending = 0,

    /// <summary>A majority granted.</summary>
    Won = 1,

    /// <summary>A majority refused.</summary>
    Lost = 2,
}

/// <summary>Majority arithmetic over a set of voters.</summary>
internal static class MajorityQuorum
{
    /// <summary>How many voters make a majority.</summary>
    public static int Size(int voters) => (voters / 2) + 1;

    /// <summary>
    /// The largest value that a majority of voters have reached, given one value per voter: sort ascending and
    /// take position n - majority. Used for the commit index (over Match) and for ReadIndex rounds (over the
    /// rounds each voter acknowledged). An empty voter set yields ulong.MaxValue (nothing to wait for).
    /// </summary>
    public static ulong QuorumValue(Span<ulong> valuePerVoter)
    {
        if (valuePerVoter.Length == 0)
        {
            return ulong.MaxValue;
        }

        valuePerVoter.Sort();
        var position = valuePerVoter.Length - Size(valuePerVoter.Length);
        Invariant.Check(position >= 0 && position < valuePerVoter.Length, "quorum position out of range");
        return valuePerVoter[position];
    }

    /// <summary>The election outcome given the recorded votes (true = granted).</summary>
    public static VoteResult Tally(NodeId[] voters, Dictionary<NodeId, bool> votes)
    {
        int granted = 0, rejected = 0;
        foreach (var voter in voters)
        {
            if (votes.TryGetValue(voter, out var grant))
            {
                if (grant)
                {
                    granted++;
                }
                else
                {
                    rejected++;
                }
            }
        }

        var majority = Size(voters.Length);
        if (granted >= majority)
        {
            return VoteResult.Won;
        }

        return voters.Length - rejected < majority ? VoteResult.Lost : VoteResult.Pending;
    }
}
