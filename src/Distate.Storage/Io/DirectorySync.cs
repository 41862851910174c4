using System.Runtime.InteropServices;

namespace Distate.Storage.Io;

/// <summary>Makes directory entries (created, renamed or removed files) durable with fsync on the directory.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnlyDirectoryFlags = 0x10000; // O_RDONLY | O_DIRECTORY on Linux.

    /// <summary>Flushes the directory's entries to stable storage; throws <see cref="IOException"/> on failure.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Directory fsync is a Linux/POSIX notion; other platforms are not supported for durability.
        }

        var fd = Open(directory, ReadOnlyDirectoryFlags);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
