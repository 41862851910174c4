using Distate.Store.Mvcc;

namespace Distate.Store.Leases;

/// <summary>A lease: its TTLs and the keys attached to it. Invariant: 0 &lt;= RemainingTtlSeconds &lt;= GrantedTtlSeconds.</summary>
internal sealed class Lease
{
    /// <summary>Creates a lease with a full remaining TTL.</summary>
    public Lease(long id, long grantedTtlSeconds, long remainingTtlSeconds)
    {
        Invariant.Check(id != 0, "lease id 0 means no lease");
        Invariant.Check(remainingTtlSeconds >= 0 && remainingTtlSeconds <= grantedTtlSeconds, "remaining TTL within granted TTL");
        Id = id;
        GrantedTtlSeconds = grantedTtlSeconds;
        RemainingTtlSeconds = remainingTtlSeconds;
    }

    /// <summary>The lease id.</summary>
    public long Id { get; }

    /// <summary>TTL given at grant.</summary>
    public long GrantedTtlSeconds { get; }

    /// <summary>Remaining TTL as of the last checkpoint.</summary>
    public long RemainingTtlSeconds { get; set; }

    /// <summary>Live keys attached to this lease; unordered, so callers sort before any state-changing use.</summary>
    public HashSet<KeyRecord> Keys { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Attached keys in ordinal key order (deterministic on every node).</summary>
    public KeyRecord[] SortedKeys()
    {
        var keys = new KeyRecord[Keys.Count];
        Keys.CopyTo(keys);
        Array.Sort(keys, KeyRecordComparer.Instance);
        return keys;
    }
}
