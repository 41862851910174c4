namespace Distate.Raft;

/// <summary>Cluster membership: who votes and who only learns. Immutable.</summary>
public sealed class ConfState : IEquatable<ConfState>
{
    /// <summary>A membership with no members (a node that has not yet learned its cluster).</summary>
    public static readonly ConfState Empty = new([], []);

    /// <summary>Creates a membership; ids are sorted and must not repeat across the two sets.</summary>
    public ConfState(IEnumerable<NodeId> voters, IEnumerable<NodeId> learners)
    {
        ArgumentNullException.ThrowIfNull(voters);
        ArgumentNullException.ThrowIfNull(learners);
        Voters = SortedDistinct(voters);
        Learners = SortedDistinct(learners);
        foreach (var learner in Learners)
        {
            Invariant.Check(Array.IndexOf(Voters, learner) < 0, "a node cannot be both voter and learner");
        }
    }

    /// <summary>Members that vote and count toward quorums, sorted.</summary>
    public NodeId[] Voters { get; }

    /// <summary>Members that receive the log but do not vote, sorted.</summary>
    public NodeId[] Learners { get; }

    /// <summary>True when the node votes.</summary>
    public bool IsVoter(NodeId id) => Array.IndexOf(Voters, id) >= 0;

    /// <summary>True when the node is a learner.</summary>
    public bool IsLearner(NodeId id) => Array.IndexOf(Learners, id) >= 0;

    /// <summary>True when the node is a voter or a learner.</summary>
    public bool Contains(NodeId id) => IsVoter(id) || IsLearner(id);

    /// <summary>Creates a membership of voters only.</summary>
    public static ConfState OfVoters(params ulong[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var voters = new NodeId[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            voters[i] = new NodeId(ids[i]);
        }

        return new ConfState(voters, []);
    }

    /// <inheritdoc />
    public bool Equals(ConfState? other) =>
        other is not null && Voters.AsSpan().SequenceEqual(other.Voters) && Learners.AsSpan().SequenceEqual(other.Learners);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfState);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var voter in Voters)
        {
            hash.Add(voter);
        }

        hash.Add(-1);
        foreach (var learner in Learners)
        {
            hash.Add(learner);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"voters=[{string.Join(",", Voters)}]" + (Learners.Length > 0 ? $" learners=[{string.Join(",", Learners)}]" : "");

    private static NodeId[] SortedDistinct(IEnumerable<NodeId> ids)
    {
        var set = new SortedSet<NodeId>(ids);
        Invariant.Check(!set.Contains(NodeId.None), "node id 0 is reserved for 'none'");
        var result = new NodeId[set.Count];
        set.CopyTo(result);
        return result;
    }
}
