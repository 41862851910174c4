using System.Globalization;

namespace Distate.Load;

/// <summary>Resident memory of server processes, read from /proc/&lt;pid&gt;/status (Linux only).</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS (current) and VmHWM (peak) in KiB, or null when the process or the file is gone.</summary>
    public static (long RssKib, long PeakKib)? TryRead(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        long? rss = null;
        long? peak = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = ParseKib(line);
            }
        }

        return rss is { } r ? (r, peak ?? r) : null;
    }

    /// <summary>Parses "VmRSS:    123456 kB".</summary>
    private static long ParseKib(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib : 0;
    }
}
