namespace Distate.Storage.Io;

/// <summary>How much room the file system holding a directory has left, and whether a failed write means "disk full".</summary>
public static class DiskSpace
{
    /// <summary>errno of "No space left on device" on Linux (and most Unix systems).</summary>
    private const int NoSpaceErrno = 28;

    /// <summary>Bytes the current user may still write on the file system holding <paramref name="directory"/>; null when
    /// that cannot be read (the directory vanished, an exotic file system).</summary>
    public static long? AvailableBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when <paramref name="cause"/> (or an exception inside it) says ENOSPC, or when the file system holding
    /// <paramref name="directory"/> has fewer than <paramref name="thresholdBytes"/> free bytes: FASTER reports a failed
    /// page flush as "error code 4294967295" without the errno, so the free space is what tells a full disk there.
    /// </summary>
    public static bool IsDiskFull(string directory, Exception cause, long thresholdBytes, out long availableBytes)
    {
        ArgumentNullException.ThrowIfNull(cause);
        availableBytes = AvailableBytes(directory) ?? -1;
        for (var current = cause; current is not null; current = current.InnerException)
        {
            if ((current is IOException && current.HResult == NoSpaceErrno)
                || current.Message.Contains("error code 28", StringComparison.Ordinal)
                || current.Message.Contains("No space left on device", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return availableBytes >= 0 && availableBytes < thresholdBytes;
    }
}
