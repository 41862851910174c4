using System.Buffers.Binary;

namespace Distate.Raft;

/// <summary>One membership change, carried in a <see cref="EntryType.ConfChange"/> entry.</summary>
/// <param name="Type">What to do.</param>
/// <param name="NodeId">Which node.</param>
/// <param name="Context">Opaque host data (e.g. the new member's peer URL).</param>
public sealed record ConfChange(ConfChangeType Type, NodeId NodeId, ReadOnlyMemory<byte> Context)
{
    private const int HeaderBytes = 1 + 8;

    /// <summary>Creates a change with no context.</summary>
    public ConfChange(ConfChangeType type, NodeId nodeId) : this(type, nodeId, ReadOnlyMemory<byte>.Empty) { }

    /// <summary>Encodes the change as entry data: type byte, node id (big-endian), context bytes.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[HeaderBytes + Context.Length];
        bytes[0] = (byte)Type;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), NodeId.Value);
        Context.Span.CopyTo(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    /// <summary>Decodes entry data written by <see cref="Encode"/>.</summary>
    public static ConfChange Decode(ReadOnlyMemory<byte> data)
    {
        if (data.Length < HeaderBytes || data.Span[0] > (byte)ConfChangeType.RemoveNode)
        {
            throw new FormatException($"malformed membership change entry ({data.Length} bytes)");
        }

        var id = new NodeId(BinaryPrimitives.ReadUInt64BigEndian(data.Span[1..]));
        return new ConfChange((ConfChangeType)data.Span[0], id, data[HeaderBytes..].ToArray());
    }

    /// <summary>The membership that results from applying this change to <paramref name="current"/>.</summary>
    public ConfState ApplyTo(ConfState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var voters = new List<NodeId>(current.Voters);
        var learners = new List<NodeId>(current.Learners);
        switch (Type)
        {
            case ConfChangeType.AddVoter:
                learners.Remove(NodeId);
                if (!voters.Contains(NodeId))
                {
                    voters.Add(NodeId);
                }

                break;
            case ConfChangeType.AddLearner:
                if (!voters.Contains(NodeId) && !learners.Contains(NodeId))
                {
                    learners.Add(NodeId);
                }

                break;
            case ConfChangeType.RemoveNode:
                voters.Remove(NodeId);
                learners.Remove(NodeId);
                break;
        }

        return new ConfState(voters, learners);
    }

    /// <summary>Why this change cannot be proposed against <paramref name="current"/>, or null if it can.</summary>
    public string? Validate(ConfState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (!NodeId.IsSome)
        {
            return "node id 0 is reserved";
        }

        return Type switch
        {
            ConfChangeType.AddVoter when current.IsVoter(NodeId) => $"node {NodeId} is already a voter",
            ConfChangeType.AddLearner when current.IsVoter(NodeId) => $"node {NodeId} is a voter; demoting voters is not supported",
            ConfChangeType.AddLearner when current.IsLearner(NodeId) => $"node {NodeId} is already a learner",
            ConfChangeType.RemoveNode when !current.Contains(NodeId) => $"node {NodeId} is not a member",
            ConfChangeType.RemoveNode when current.IsVoter(NodeId) && current.Voters.Length == 1 => "cannot remove the last voter",
            _ => null,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} {NodeId}";
}
