using Distate.Store.Mvcc;

namespace Distate.Store.Leases;

/// <summary>All leases by id, plus the counter for server-chosen ids.</summary>
internal sealed class LeaseTable
{
    private readonly Dictionary<long, Lease> _leases = [];

    /// <summary>Next candidate for a server-chosen id; part of the replicated state.</summary>
    public long NextId { get; set; } = 1;

    /// <summary>Number of leases.</summary>
    public int Count => _leases.Count;

    /// <summary>Finds a lease.</summary>
    public bool TryGet(long id, out Lease lease)
    {
        bool found = _leases.TryGetValue(id, out Lease? actual);
        lease = actual!;
        return found;
    }

    /// <summary>True when the lease exists.</summary>
    public bool Contains(long id) => _leases.ContainsKey(id);

    /// <summary>Adds a new lease.</summary>
    public void Add(Lease lease)
    {
        bool added = _leases.TryAdd(lease.Id, lease);
        Invariant.Check(added, "lease ids are unique");
    }

    /// <summary>Removes a lease; its keys must already be detached.</summary>
    public void Remove(long id)
    {
        bool removed = _leases.Remove(id, out Lease? lease);
        Invariant.Check(removed, "only existing leases are removed");
        Invariant.Check(lease!.Keys.Count == 0, "a removed lease has no attached keys");
    }

    /// <summary>Picks the next free positive id from the counter (deterministic: depends only on replicated state).</summary>
    public long ChooseId()
    {
        while (NextId <= 0 || _leases.ContainsKey(NextId))
        {
            NextId = NextId <= 0 ? 1 : NextId + 1;
        }

        return NextId++;
    }

    /// <summary>Attaches a key to a lease that must exist.</summary>
    public void Attach(long id, KeyRecord record)
    {
        bool found = _leases.TryGetValue(id, out Lease? lease);
        Invariant.Check(found, "keys attach only to existing leases");
        lease!.Keys.Add(record);
    }

    /// <summary>Detaches a key from a lease (no-op when the lease is gone).</summary>
    public void Detach(long id, KeyRecord record)
    {
        if (_leases.TryGetValue(id, out Lease? lease))
        {
            lease.Keys.Remove(record);
        }
    }

    /// <summary>Every lease in ascending id order.</summary>
    public Lease[] SortedLeases()
    {
        var leases = new Lease[_leases.Count];
        _leases.Values.CopyTo(leases, 0);
        Array.Sort(leases, static (a, b) => a.Id.CompareTo(b.Id));
        return leases;
    }
}
