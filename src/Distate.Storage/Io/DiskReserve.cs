using Distate.Raft;

namespace Distate.Storage.Io;

/// <summary>
/// A file of real (not sparse) bytes kept beside the log so that a full disk is survivable: when a log write fails with
/// ENOSPC, deleting the reserve gives back exactly this much room, enough for the write that failed and for the small
/// writes a read-only member still makes (hard state on elections, housekeeping entries). Recreated once the disk has
/// room again. Thread-safety: one caller at a time (the node loop, or the background check it schedules).
/// </summary>
public sealed class DiskReserve
{
    /// <summary>Name of the reserve file in its directory.</summary>
    public const string FileName = "disk-reserve";

    private const int ChunkBytes = 1024 * 1024;
    private readonly string _path;

    /// <summary>A reserve of <paramref name="bytes"/> in <paramref name="directory"/> (0 disables it).</summary>
    public DiskReserve(string directory, long bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Directory = directory;
        Bytes = bytes;
        _path = Path.Combine(directory, FileName);
    }

    /// <summary>The directory holding the reserve (on the log's file system).</summary>
    public string Directory { get; }

    /// <summary>Size of the reserve.</summary>
    public long Bytes { get; }

    /// <summary>True when the reserve file is in place at its full size.</summary>
    public bool IsHeld => Bytes > 0 && File.Exists(_path) && new FileInfo(_path).Length == Bytes;

    /// <summary>
    /// Makes sure the reserve is in place, writing it (zeros, flushed) when missing; false, leaving no partial file, when
    /// the disk lacks the room (or the reserve is disabled).
    /// </summary>
    public bool TryHold()
    {
        if (Bytes == 0)
        {
            return false;
        }

        if (IsHeld)
        {
            return true;
        }

        try
        {
            Write();
            return true;
        }
        catch (IOException)
        {
            Release();
            return false;
        }
    }

    /// <summary>Deletes the reserve, giving its room back to the file system; true when there was one to delete.</summary>
    public bool Release()
    {
        if (!File.Exists(_path))
        {
            return false;
        }

        File.Delete(_path);
        return true;
    }

    private void Write()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var zeros = new byte[(int)Math.Min(ChunkBytes, Bytes)];
        using var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long written = 0; written < Bytes; written += zeros.Length)
        {
            file.Write(zeros, 0, (int)Math.Min(zeros.Length, Bytes - written));
        }

        file.Flush(flushToDisk: true);
        Invariant.Check(file.Length == Bytes, "the reserve holds every byte it promises");
    }
}
