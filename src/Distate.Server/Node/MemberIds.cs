using Distate.Raft;

namespace Distate.Server.Node;

/// <summary>
/// Stable numeric ids, as etcd derives member and cluster ids (here: FNV-1a 64). A member's id comes from its first
/// advertised peer URL, so <c>member add</c> (which knows only the peer URL) and the joining process agree on it.
/// </summary>
public static class MemberIds
{
    /// <summary>The member id for a member's first peer URL; never zero.</summary>
    public static NodeId ForPeerUrl(Uri peerUrl)
    {
        ArgumentNullException.ThrowIfNull(peerUrl);
        return new NodeId(Hash("member:" + peerUrl.GetLeftPart(UriPartial.Authority).ToLowerInvariant()) | 1);
    }

    /// <summary>The cluster id for a cluster token; never zero.</summary>
    public static ulong ForCluster(string token) => Hash("cluster:" + token) | 1;

    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
