using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Distate.Storage.Bench;

/// <summary>The physical bound: a pwrite followed by fdatasync on a plain file.</summary>
internal static partial class RawSync
{
    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> and fdatasyncs the file.</summary>
    public static void WriteAndSync(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset)
    {
        RandomAccess.Write(handle, data, offset);
        if (Fdatasync((int)handle.DangerousGetHandle()) != 0)
        {
            throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);
}
