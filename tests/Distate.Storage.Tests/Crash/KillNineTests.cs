using System.Diagnostics;
using System.Globalization;
using Distate.Raft;
using Distate.Storage.CrashChild;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Crash;

// Proves crash safety under kill -9: a child process appends batches (with occasional suffix replacement in a higher
// term) and prints each batch's range once PersistAsync reports it durable; the parent SIGKILLs it after a seeded
// random number of acknowledgements (sometimes before the first one, sometimes during Open), reopens the directory
// and checks that every acknowledged index is present with a term at least the acknowledged one, that every entry's
// bytes are exactly what the child wrote for its (index, term), and that terms never decrease along the log. Each
// directory is killed repeatedly, so later runs also recover from logs that earlier crashes left behind.
// 5 directories x 10 kills = 50 kills per run; DISTATE_STORAGE_SEED picks the seed (printed on failure).
public sealed class KillNineTests
{
    private const int Directories = 5;
    private const int KillsPerDirectory = 10;
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_acknowledged_entry_survives_sigkill()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DISTATE_STORAGE_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20251122;
        var random = new Random(seed);
        var kills = 0;
        for (var d = 0; d < Directories; d++)
        {
            using var dir = new TempDirectory();
            var ackedTerm = new Dictionary<ulong, ulong>();
            ulong ackedLast = 0;
            for (var k = 0; k < KillsPerDirectory; k++)
            {
                var acksBeforeKill = random.Next(-1, 40);
                var childSeed = random.Next();
                ackedLast = await RunAndKill(dir.Path, childSeed, acksBeforeKill, ackedTerm, ackedLast);
                kills++;
                Verify(dir.Path, ackedTerm, ackedLast, $"seed {seed} directory {d} kill {k} (child seed {childSeed}, acks {acksBeforeKill})");
            }
        }

        Assert.True(kills >= 50, $"only {kills} kills ran");
    }

    private static async Task<ulong> RunAndKill(string directory, int childSeed, int acksBeforeKill, Dictionary<ulong, ulong> ackedTerm, ulong ackedLast)
    {
        using var child = Process.Start(new ProcessStartInfo("dotnet", [ChildPath(), directory, childSeed.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            if (acksBeforeKill >= 0)
            {
                var ready = await ReadLine(child);
                Assert.StartsWith("READY", ready, StringComparison.Ordinal);
            }

            for (var i = 0; i < acksBeforeKill; i++)
            {
                var parts = (await ReadLine(child)).Split(' ');
                Assert.Equal("ACK", parts[0]);
                var (first, last, term) = (ulong.Parse(parts[1], CultureInfo.InvariantCulture), ulong.Parse(parts[2], CultureInfo.InvariantCulture), ulong.Parse(parts[3], CultureInfo.InvariantCulture));
                for (var index = first; index <= last; index++)
                {
                    ackedTerm[index] = term;
                }

                ackedLast = Math.Max(ackedLast, last);
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL on Linux.
            await child.WaitForExitAsync().WaitAsync(LineTimeout);
        }

        return ackedLast;
    }

    private static void Verify(string directory, Dictionary<ulong, ulong> ackedTerm, ulong ackedLast, string context)
    {
        using var storage = FasterRaftStorage.Open(new StorageOptions { Directory = directory, PageSizeBits = 16, MemorySizeBits = 18, SegmentSizeBits = 20, MaxEntryBytes = 4096 });
        storage.AssertInvariants();
        var last = storage.LastIndex();
        Assert.True(last.Value >= ackedLast, $"{context}: last index {last} below acknowledged {ackedLast}");
        var entries = last.Value == 0 ? [] : storage.Entries(storage.FirstIndex(), last.Next, long.MaxValue);
        ulong previousTerm = 0;
        foreach (var entry in entries)
        {
            var expected = CrashPayload.Make(entry.Index.Value, entry.Term.Value);
            Assert.True(expected.Data.Span.SequenceEqual(entry.Data.Span), $"{context}: entry {entry.Index} bytes differ");
            Assert.True(entry.Term.Value >= previousTerm, $"{context}: term decreases at {entry.Index}");
            if (ackedTerm.TryGetValue(entry.Index.Value, out var acked))
            {
                Assert.True(entry.Term.Value >= acked, $"{context}: entry {entry.Index} has term {entry.Term}, acknowledged term {acked}");
            }

            previousTerm = entry.Term.Value;
        }
    }

    private static async Task<string> ReadLine(Process child)
    {
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(LineTimeout);
        return line ?? throw new InvalidOperationException($"child exited early: {await child.StandardError.ReadToEndAsync()}");
    }

    private static string ChildPath()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Distate.Storage.CrashChild.dll");
        Assert.True(File.Exists(path), $"crash child not built at {path}");
        return path;
    }
}
