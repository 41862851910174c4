namespace Distate.Store.Snapshot;

/// <summary>
/// The store as of one revision, captured by <see cref="KvStore.CaptureSnapshot"/> (references to immutable history,
/// taken under the read lock in one quick copy) and encoded later by <see cref="WriteTo"/> on any thread while the
/// store goes on applying.
/// </summary>
public sealed class StoreSnapshot
{
    private readonly SnapshotImage _image;

    internal StoreSnapshot(SnapshotImage image) => _image = image;

    /// <summary>The store revision the snapshot holds.</summary>
    public Revision Revision => new(_image.CurrentRevision);

    /// <summary>Writes the snapshot stream (with its CRC-32C trailer) that <see cref="KvStore.RestoreSnapshot"/> reads.</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        SnapshotCodec.Write(_image, destination);
    }
}
