namespace Distate.Storage.Tests.Simulation;

/// <summary>
/// A simulated disk under one FasterLog: segment bytes and FASTER commit-metadata blobs. Its device behaves like
/// an O_SYNC file: a write is durable once issued (so certainly once its completion is reported). The write
/// numbered <see cref="CrashAtWrite"/> is the crash: its bytes are dropped, applied in full, applied to a seeded
/// subset of its 512-byte sectors, or applied up to a seeded byte (a tear inside a sector), and from then on
/// nothing reaches the disk and every write reports EIO — the process is, as far as the disk is concerned, dead.
/// </summary>
public sealed class SimDisk
{
    /// <summary>Sector size assumed atomic by the subset tear.</summary>
    public const int SectorBytes = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, byte[]> _segments = [];
    private readonly Dictionary<long, byte[]> _blobs = [];
    private readonly Random _tear;
    private int _writes;

    /// <summary>A disk that crashes at write <paramref name="crashAtWrite"/> (0: never) with fate drawn from <paramref name="tearSeed"/>.</summary>
    public SimDisk(int crashAtWrite, int tearSeed)
    {
        CrashAtWrite = crashAtWrite;
        _tear = new Random(tearSeed);
    }

    /// <summary>The 1-based device write at which the crash happens; 0 for none.</summary>
    public int CrashAtWrite { get; }

    /// <summary>True once the crash write was issued.</summary>
    public bool Crashed { get; private set; }

    /// <summary>What happened to the crash write, for failure messages.</summary>
    public string CrashFate { get; private set; } = "none";

    /// <summary>Device writes issued so far.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Applies a device write; returns 0 or an errno for the completion callback.</summary>
    public uint Write(int segment, long offset, byte[] data)
    {
        lock (_gate)
        {
            var number = ++_writes;
            if (Crashed)
            {
                return 5;
            }

            if (number != CrashAtWrite)
            {
                Apply(segment, offset, data, 0, data.Length);
                return 0;
            }

            Crashed = true;
            TearLocked(segment, offset, data);
            return 5;
        }
    }

    /// <summary>Copies durable bytes of a segment into <paramref name="destination"/> (zeros past the end).</summary>
    public void Read(int segment, long offset, Span<byte> destination)
    {
        lock (_gate)
        {
            destination.Clear();
            if (_segments.TryGetValue(segment, out var bytes) && offset < bytes.Length)
            {
                var length = (int)Math.Min(destination.Length, bytes.Length - offset);
                bytes.AsSpan((int)offset, length).CopyTo(destination);
            }
        }
    }

    /// <summary>Length of a segment's durable bytes.</summary>
    public long SegmentLength(int segment)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(segment, out var bytes) ? bytes.Length : 0;
        }
    }

    /// <summary>Segments present.</summary>
    public IReadOnlyList<int> Segments()
    {
        lock (_gate)
        {
            return [.. _segments.Keys.Order()];
        }
    }

    /// <summary>Deletes a segment (ignored after the crash).</summary>
    public void RemoveSegment(int segment)
    {
        lock (_gate)
        {
            if (!Crashed)
            {
                _ = _segments.Remove(segment);
            }
        }
    }

    /// <summary>Stores a commit-metadata blob atomically (ignored after the crash).</summary>
    public void WriteBlob(long number, byte[] blob)
    {
        lock (_gate)
        {
            if (!Crashed)
            {
                _blobs[number] = blob.ToArray();
            }
        }
    }

    /// <summary>A stored blob, or null.</summary>
    public byte[]? ReadBlob(long number)
    {
        lock (_gate)
        {
            return _blobs.TryGetValue(number, out var blob) ? blob.ToArray() : null;
        }
    }

    /// <summary>Stored blob numbers.</summary>
    public IReadOnlyList<long> Blobs()
    {
        lock (_gate)
        {
            return [.. _blobs.Keys];
        }
    }

    /// <summary>Deletes a blob (ignored after the crash).</summary>
    public void DeleteBlob(long number)
    {
        lock (_gate)
        {
            if (!Crashed)
            {
                _ = _blobs.Remove(number);
            }
        }
    }

    /// <summary>What survives the crash: a fresh, healthy disk holding a copy of the durable bytes.</summary>
    public SimDisk Survivor()
    {
        lock (_gate)
        {
            var disk = new SimDisk(0, 0);
            foreach (var (segment, bytes) in _segments)
            {
                disk._segments[segment] = bytes.ToArray();
            }

            foreach (var (number, blob) in _blobs)
            {
                disk._blobs[number] = blob.ToArray();
            }

            return disk;
        }
    }

    private void TearLocked(int segment, long offset, byte[] data)
    {
        switch (_tear.Next(4))
        {
            case 0:
                CrashFate = $"write {CrashAtWrite} ({data.Length} B at segment {segment} offset {offset}) dropped";
                break;
            case 1:
                Apply(segment, offset, data, 0, data.Length);
                CrashFate = $"write {CrashAtWrite} ({data.Length} B) fully applied";
                break;
            case 2:
                var applied = 0;
                for (var start = 0; start < data.Length; start += SectorBytes)
                {
                    if (_tear.Next(2) == 0)
                    {
                        Apply(segment, offset + start, data, start, Math.Min(SectorBytes, data.Length - start));
                        applied++;
                    }
                }

                CrashFate = $"write {CrashAtWrite} ({data.Length} B) torn: {applied} of {(data.Length + SectorBytes - 1) / SectorBytes} sectors applied";
                break;
            default:
                var prefix = _tear.Next(data.Length + 1);
                Apply(segment, offset, data, 0, prefix);
                CrashFate = $"write {CrashAtWrite} ({data.Length} B) torn after byte {prefix}";
                break;
        }
    }

    private void Apply(int segment, long offset, byte[] data, int start, int length)
    {
        if (length == 0)
        {
            return;
        }

        var end = offset + length;
        if (!_segments.TryGetValue(segment, out var bytes) || bytes.Length < end)
        {
            var grown = new byte[Math.Max(end, bytes?.Length ?? 0)];
            bytes?.CopyTo(grown, 0);
            _segments[segment] = bytes = grown;
        }

        data.AsSpan(start, length).CopyTo(bytes.AsSpan((int)offset));
    }
}
