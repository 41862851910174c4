namespace Distate.Store;

/// <summary>One version of a key as clients see it (etcd's mvccpb.KeyValue); byte contents are shared with the store and must not be changed.</summary>
/// <param name="Key">The key bytes.</param>
/// <param name="Value">The value bytes (empty for deletes and keys-only reads).</param>
/// <param name="CreateRevision">Revision of the put that created the key (since its last delete).</param>
/// <param name="ModRevision">Revision of the last modification.</param>
/// <param name="Version">Number of puts since creation; 0 means deleted.</param>
/// <param name="Lease">Lease the key is attached to, or none.</param>
public sealed record KeyValue(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    Revision CreateRevision,
    Revision ModRevision,
    long Version,
    LeaseId Lease)
{
    /// <summary>Compares contents (ReadOnlyMemory equality is by reference, so records would not).</summary>
    public bool ContentEquals(KeyValue? other) =>
        other is not null
        && Key.Span.SequenceEqual(other.Key.Span)
        && Value.Span.SequenceEqual(other.Value.Span)
        && CreateRevision == other.CreateRevision
        && ModRevision == other.ModRevision
        && Version == other.Version
        && Lease == other.Lease;

    /// <summary>Readable form for tests and logs (key and value as UTF-8).</summary>
    public override string ToString() =>
        $"{System.Text.Encoding.UTF8.GetString(Key.Span)}={System.Text.Encoding.UTF8.GetString(Value.Span)}" +
        $"(c{CreateRevision},m{ModRevision},v{Version},l{Lease})";
}
