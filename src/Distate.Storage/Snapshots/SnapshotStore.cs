using System.Buffers.Binary;
using System.Globalization;
using Distate.Raft;
using Distate.Storage.Io;

namespace Distate.Storage.Snapshots;

/// <summary>
/// Snapshot data files: written to a temporary file, flushed, renamed into place and the directory flushed, so a
/// file with a final name is always complete. Header (little-endian): u32 magic, u32 version, u64 index, u64 term,
/// u32 data length, u32 data CRC-32C, u32 CRC-32C of the preceding header bytes; then the data.
/// </summary>
internal sealed class SnapshotStore
{
    private const uint Magic = 0x504E5344; // "DSNP"
    private const uint FormatVersion = 1;
    private const int HeaderBytes = 4 + 4 + 8 + 8 + 4 + 4 + 4;
    private const string Suffix = ".snap";
    private const string TempSuffix = ".tmp";

    private readonly string _directory;
    private readonly long _maxBytes;

    /// <summary>Uses (and creates) <paramref name="directory"/>; removes leftovers of interrupted writes.</summary>
    public SnapshotStore(string directory, long maxBytes)
    {
        _directory = directory;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(directory);
        foreach (var temp in Directory.GetFiles(directory, "*" + TempSuffix))
        {
            File.Delete(temp); // A temp file is by construction never referenced by the log.
        }
    }

    /// <summary>Durably writes the data of the snapshot at index/term and returns its CRC-32C.</summary>
    public uint Save(LogIndex index, Term term, ReadOnlySpan<byte> data)
    {
        Invariant.Check(data.Length <= _maxBytes, "snapshot size was checked by the caller");
        var crc = Crc32C.Compute(data);
        var header = new byte[HeaderBytes];
        var writer = new SpanWriter(header, 0);
        writer.UInt32(Magic);
        writer.UInt32(FormatVersion);
        writer.UInt64(index.Value);
        writer.UInt64(term.Value);
        writer.UInt32((uint)data.Length);
        writer.UInt32(crc);
        writer.UInt32(Crc32C.Compute(header.AsSpan(0, HeaderBytes - 4)));
        var path = PathOf(index, term);
        // A unique temporary name: a snapshot staged beside the node loop never shares its temp file with another write.
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            stream.Write(header);
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(_directory);
        Invariant.Check(File.Exists(path), "renamed snapshot file must exist");
        return crc;
    }

    /// <summary>Reads and verifies the data of the snapshot at index/term; throws <see cref="StorageCorruptionException"/> on any mismatch.</summary>
    public byte[] Load(LogIndex index, Term term, uint expectedCrc, int expectedLength)
    {
        var path = PathOf(index, term);
        if (!File.Exists(path))
        {
            throw new StorageCorruptionException($"snapshot file '{path}' referenced by the log is missing; restore it from a replica or backup");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes)
        {
            throw Corrupt(path, "shorter than its header");
        }

        var reader = new SpanReader(bytes, 0);
        var fields = (magic: reader.UInt32(), version: reader.UInt32(), index: reader.UInt64(), term: reader.UInt64(),
            length: reader.UInt32(), crc: reader.UInt32(), headerCrc: reader.UInt32());
        if (fields.magic != Magic || fields.version != FormatVersion || fields.headerCrc != Crc32C.Compute(bytes.AsSpan(0, HeaderBytes - 4)))
        {
            throw Corrupt(path, "header is damaged");
        }

        if (fields.index != index.Value || fields.term != term.Value || fields.length != (uint)expectedLength
            || fields.crc != expectedCrc || bytes.Length != HeaderBytes + expectedLength)
        {
            throw Corrupt(path, "does not match the log's record of it");
        }

        var data = bytes.AsSpan(HeaderBytes).ToArray();
        if (Crc32C.Compute(data) != expectedCrc)
        {
            throw Corrupt(path, "data checksum mismatch");
        }

        return data;
    }

    /// <summary>Deletes snapshot files for indexes below <paramref name="index"/> (superseded by a durable one), then flushes the directory.</summary>
    public void RemoveOlderThan(LogIndex index)
    {
        var removed = false;
        foreach (var file in Directory.GetFiles(_directory, "*" + Suffix))
        {
            var name = Path.GetFileName(file);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && ulong.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var fileIndex)
                && fileIndex < index.Value)
            {
                File.Delete(file);
                removed = true;
            }
        }

        if (removed)
        {
            DirectorySync.Flush(_directory);
        }
    }

    /// <summary>The final file name of the snapshot at index/term.</summary>
    public string PathOf(LogIndex index, Term term) =>
        Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{index.Value:D20}-{term.Value:D20}{Suffix}"));

    private static StorageCorruptionException Corrupt(string path, string what) =>
        new($"snapshot file '{path}' {what}; it cannot be trusted: restore it from a replica or backup");
}
