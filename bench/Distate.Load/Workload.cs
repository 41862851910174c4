namespace Distate.Load;

/// <summary>The request mix a run sends.</summary>
internal enum Workload
{
    /// <summary>/v3/kv/put of a random key from the key space.</summary>
    Put,

    /// <summary>/v3/kv/range of one random key, linearizable (etcd's default).</summary>
    GetLinearizable,

    /// <summary>/v3/kv/range of one random key with "serializable":true (answered from local state).</summary>
    GetSerializable,

    /// <summary>/v3/kv/put of every key of the key space once, in order, so later gets find values.</summary>
    Fill,
}
