using System.Buffers.Binary;
using Distate.Server.Members;
using Distate.Store;
using Distate.Store.Snapshot;

namespace Distate.Server.Node;

/// <summary>
/// The server's snapshot format: a magic and version, the member directory (length-prefixed), then the store's own
/// checksummed snapshot stream. Both halves are state the log built, so both must travel together.
/// </summary>
internal sealed class SnapshotEnvelope
{
    private static readonly byte[] Magic = "DSN1"u8.ToArray();
    private readonly byte[] _directory;
    private readonly StoreSnapshot _store;

    private SnapshotEnvelope(byte[] directory, StoreSnapshot store)
    {
        _directory = directory;
        _store = store;
    }

    /// <summary>Captures the members and the store as of now (quick; on the apply task, between two entries).</summary>
    public static SnapshotEnvelope Capture(MemberDirectory members, KvStore store) => new(members.Encode(), store.CaptureSnapshot());

    /// <summary>Writes the captured state to <paramref name="stream"/> (slow; any thread).</summary>
    public void WriteTo(Stream stream)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, _directory.Length);
        stream.Write(Magic);
        stream.Write(length);
        stream.Write(_directory);
        _store.WriteTo(stream);
    }

    /// <summary>Restores the members and the store from a stream written by <see cref="WriteTo"/>.</summary>
    public static void Read(Stream stream, MemberDirectory members, KvStore store)
    {
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        if (!header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("snapshot does not start with the Distate server snapshot magic 'DSN1'");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (length < 0 || length > stream.Length - stream.Position)
        {
            throw new InvalidDataException($"snapshot member section claims {length} bytes, more than the snapshot holds");
        }

        var directory = new byte[length];
        stream.ReadExactly(directory);
        members.Restore(directory);
        store.RestoreSnapshot(stream);
    }
}
