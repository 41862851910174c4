using Distate.Raft;

namespace Distate.Server.Members;

/// <summary>One cluster member as every member knows it: replicated through the Raft log, so identical everywhere.</summary>
/// <param name="Id">The member id (from its first peer URL).</param>
/// <param name="Name">Its name; empty until the member has started and published it.</param>
/// <param name="PeerUrls">Where peers reach it.</param>
/// <param name="ClientUrls">Where clients reach it; empty until published.</param>
/// <param name="IsLearner">True while it only receives the log and does not vote.</param>
public sealed record Member(NodeId Id, string Name, IReadOnlyList<Uri> PeerUrls, IReadOnlyList<Uri> ClientUrls, bool IsLearner);
