using Distate.Raft;

namespace Distate.Server.Members;

/// <summary>What a member publishes about itself once it runs: its name and client URLs (etcd's "publish").</summary>
/// <param name="Id">The publishing member.</param>
/// <param name="Name">Its --name.</param>
/// <param name="ClientUrls">Its --advertise-client-urls.</param>
public sealed record MemberAttributes(NodeId Id, string Name, IReadOnlyList<Uri> ClientUrls);
