namespace Distate.Store.Mvcc;

/// <summary>One stored version of a key: a put, or a tombstone for a delete. Immutable except for <see cref="Previous"/>,
/// which compaction cuts. Invariant: Previous, when set, has a smaller (ModMain, ModSub).</summary>
internal sealed class KeyVersion
{
    /// <summary>Creates a version.</summary>
    public KeyVersion(KeyRecord owner, byte[]? value, long modMain, int modSub, long createRevision, long version, long lease, KeyVersion? previous)
    {
        Invariant.Check(modMain > 0 && modSub >= 0, "revisions are positive");
        Invariant.Check(previous is null || previous.ModMain < modMain, "a key changes at most once per revision");
        Owner = owner;
        Value = value;
        ModMain = modMain;
        ModSub = modSub;
        CreateRevision = createRevision;
        Version = version;
        Lease = lease;
        Previous = previous;
    }

    /// <summary>The key this is a version of.</summary>
    public KeyRecord Owner { get; }

    /// <summary>The value; null marks a tombstone.</summary>
    public byte[]? Value { get; }

    /// <summary>Main revision of the change.</summary>
    public long ModMain { get; }

    /// <summary>Position of the change within its revision (txns make several).</summary>
    public int ModSub { get; }

    /// <summary>Revision that created the key (0 for a tombstone).</summary>
    public long CreateRevision { get; }

    /// <summary>Puts since creation (0 for a tombstone).</summary>
    public long Version { get; }

    /// <summary>Attached lease id (0 for none).</summary>
    public long Lease { get; }

    /// <summary>The next older version, or null when none or compacted away.</summary>
    public KeyVersion? Previous { get; set; }

    /// <summary>True when this version records a delete.</summary>
    public bool IsTombstone => Value is null;

    /// <summary>Bytes charged to the quota for this version.</summary>
    public long CostBytes(int overheadBytes) => Owner.Key.Length + (Value?.Length ?? 0) + overheadBytes;

    /// <summary>The client view of this version (etcd's shape for a delete: key and mod revision only).</summary>
    public KeyValue ToKeyValue(bool keysOnly = false) => new(
        Owner.Key,
        keysOnly || Value is null ? ReadOnlyMemory<byte>.Empty : Value,
        new Revision(CreateRevision),
        new Revision(ModMain),
        Version,
        new LeaseId(Lease));

    /// <summary>The live version before this one, or null (none, compacted, or a tombstone).</summary>
    public KeyVersion? LivePrevious => Previous is { IsTombstone: false } previous ? previous : null;
}
