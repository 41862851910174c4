using System.Diagnostics;

namespace Distate.Server.Tests.Support;

/// <summary>
/// A real, small file system (tmpfs) mounted on a fresh directory, so a test can fill a disk for real. Needs root and
/// mount(8), as CI has; without them it fails with what to run instead of passing silently. Unmounted on dispose.
/// </summary>
public sealed class TinyFilesystem : IDisposable
{
    private TinyFilesystem(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB.</summary>
    public static TinyFilesystem Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "distate-tinyfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", $"-t tmpfs -o size={megabytes}m tmpfs {path}");
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(
                $"this test mounts a {megabytes} MiB tmpfs to fill a real disk and needs root with mount(8): 'mount -t tmpfs' failed ({code}): {output}");
        }

        return new TinyFilesystem(path);
    }

    /// <summary>Writes a file of <paramref name="bytes"/> real bytes (space that can be freed later by deleting it).</summary>
    public string Fill(string name, long bytes)
    {
        var file = System.IO.Path.Combine(Path, name);
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write);
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)0x5A);
        for (long written = 0; written < bytes; written += chunk.Length)
        {
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        }

        return file;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var (code, output) = Run("umount", Path);
        if (code != 0)
        {
            throw new InvalidOperationException($"umount {Path} failed ({code}): {output}");
        }

        Directory.Delete(Path);
    }

    private static (int Code, string Output) Run(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"cannot start {command}");
        var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
