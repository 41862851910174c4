using System.Collections.Immutable;
using Distate.Raft;

namespace Distate.Server.Members;

/// <summary>
/// The replicated member list: peer URLs arrive in membership-change entries, names and client URLs in publish
/// entries. Changed only by the apply path (one thread); read from any thread through an immutable snapshot.
/// </summary>
public sealed class MemberDirectory
{
    private volatile ImmutableSortedDictionary<NodeId, Member> _members = ImmutableSortedDictionary.Create<NodeId, Member>(NodeIdComparer.Instance);

    /// <summary>Every member, ordered by id.</summary>
    public IReadOnlyCollection<Member> All => _members.Values.ToArray();

    /// <summary>Raised (on the apply path) after the directory changed.</summary>
    public event Action<MemberDirectory>? Changed;

    /// <summary>Looks up a member by id.</summary>
    public bool TryGet(NodeId id, out Member member)
    {
        if (_members.TryGetValue(id, out var found))
        {
            member = found;
            return true;
        }

        member = null!;
        return false;
    }

    /// <summary>Applies a committed membership change (its context, if any, carries the member's name and peer URLs).</summary>
    public void Apply(ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var members = _members;
        members.TryGetValue(change.NodeId, out var existing);
        var context = change.Context.Length > 0 ? MemberCodec.DecodeContext(change.Context.Span) : null;
        switch (change.Type)
        {
            case ConfChangeType.RemoveNode:
                members = members.Remove(change.NodeId);
                break;
            case ConfChangeType.AddVoter or ConfChangeType.AddLearner:
                var learner = change.Type == ConfChangeType.AddLearner;
                var member = existing is null
                    ? new Member(change.NodeId, context?.Name ?? "", context?.PeerUrls ?? [], [], learner)
                    : existing with { IsLearner = learner, PeerUrls = context?.PeerUrls is { Count: > 0 } urls ? urls : existing.PeerUrls };
                members = members.SetItem(change.NodeId, member);
                break;
        }

        Publish(members);
    }

    /// <summary>Applies a committed publish entry: a member announcing its name and client URLs.</summary>
    public void Apply(MemberAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!_members.TryGetValue(attributes.Id, out var existing))
        {
            // Published by a member removed since; nothing to update.
            return;
        }

        Publish(_members.SetItem(attributes.Id, existing with { Name = attributes.Name, ClientUrls = attributes.ClientUrls }));
    }

    /// <summary>Encodes the whole directory for a snapshot.</summary>
    public byte[] Encode() => MemberCodec.EncodeMembers(_members.Values);

    /// <summary>Replaces the directory with one decoded from a snapshot.</summary>
    public void Restore(ReadOnlySpan<byte> encoded)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<NodeId, Member>(NodeIdComparer.Instance);
        foreach (var member in MemberCodec.DecodeMembers(encoded))
        {
            builder[member.Id] = member;
        }

        Publish(builder.ToImmutable());
    }

    private void Publish(ImmutableSortedDictionary<NodeId, Member> members)
    {
        _members = members;
        Changed?.Invoke(this);
    }

    private sealed class NodeIdComparer : IComparer<NodeId>
    {
        public static readonly NodeIdComparer Instance = new();

        public int Compare(NodeId x, NodeId y) => x.Value.CompareTo(y.Value);
    }
}
