namespace Distate.Server.Members;

/// <summary>The context carried by an add-member change: who the new member is and where peers reach it.</summary>
/// <param name="Name">Its name, when known (founders); empty for <c>member add</c>, which learns it at publish.</param>
/// <param name="PeerUrls">Its peer URLs.</param>
public sealed record MemberContext(string Name, IReadOnlyList<Uri> PeerUrls);
