namespace Distate.Store.Mvcc;

/// <summary>One key in the index with its version chain (newest first); kept until compaction drops its last version.</summary>
internal sealed class KeyRecord
{
    /// <summary>Creates a key record with no versions yet.</summary>
    public KeyRecord(byte[] key)
    {
        Key = key;
    }

    /// <summary>The key bytes, owned by the store and never changed.</summary>
    public byte[] Key { get; }

    /// <summary>Newest version (possibly a tombstone). Invariant: non-null for every record in the index.</summary>
    public KeyVersion? Latest { get; set; }

    /// <summary>The newest live version at or below the revision, or null when the key is absent then.</summary>
    public KeyVersion? LiveAt(long revision)
    {
        KeyVersion? version = Latest;
        while (version is not null && version.ModMain > revision)
        {
            version = version.Previous;
        }

        return version is null || version.IsTombstone ? null : version;
    }

    /// <summary>The newest version when it is live, else null.</summary>
    public KeyVersion? LiveLatest => Latest is { IsTombstone: false } latest ? latest : null;
}
