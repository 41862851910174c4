using Distate.Raft;

namespace Distate.Server.Node;

/// <summary>Stable numeric ids derived from names, as etcd derives member and cluster ids (here: FNV-1a 64).</summary>
public static class MemberIds
{
    /// <summary>The member id for a member name; never zero.</summary>
    public static NodeId ForName(string name) => new(Hash(name) | 1);

    /// <summary>The cluster id for a founding membership (order-independent).</summary>
    public static ulong ForCluster(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        ulong combined = 0;
        foreach (var name in names)
        {
            combined ^= Hash("cluster:" + name);
        }

        return combined | 1;
    }

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
