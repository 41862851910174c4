using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Simulation;

// Proves crash-during-write safety on a simulated disk (SimDisk), seed by seed. Each seed draws a workload — appends
// of 1–4 entries (16 B–6 KiB), suffix replacements in a higher term, hard-state writes, snapshots, compactions
// (which truncate the FasterLog head and delete segments) and received snapshots — plus a crash write and its fate
// (dropped, applied, some sectors applied, torn mid-sector). The workload runs one awaited operation at a time
// against FasterRaftStorage on a SimDevice, while MemoryRaftStorage runs the same operations as the model and a
// digest of its state is kept after every operation. After the crash the storage is reopened on the surviving
// bytes and must equal the model after some prefix of the operations that contains every acknowledged one: so
// every acknowledged entry is there with identical term and bytes, the hard state is one that was written (never
// torn or mixed), and nothing after a torn record appears. It then appends, closes cleanly and reopens once more.
// DISTATE_STORAGE_SEED runs one seed; DISTATE_STORAGE_SEED_START + DISTATE_STORAGE_RUNS a range (default 1..200).
// A failure names the seed; the operations, crash write and fate are a function of it, so it replays.
public sealed class SimulatedCrashTests
{
    private const int Operations = 40;

    [Fact]
    public async Task Recovery_after_a_crash_at_any_write_holds_every_acknowledged_operation()
    {
        var (start, runs) = Seeds();
        var crashes = 0;
        for (var seed = start; seed < start + runs; seed++)
        {
            try
            {
                crashes += await RunSeed(seed) ? 1 : 0;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"simulated crash failed for seed {seed} (replay: DISTATE_STORAGE_SEED={seed}): {ex.Message}", ex);
            }
        }

        Assert.True(runs < 20 || crashes >= runs / 2, $"only {crashes} of {runs} seeds crashed mid-workload; the crash point range is too wide");
    }

    private static (int Start, int Runs) Seeds()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("DISTATE_STORAGE_SEED"), CultureInfo.InvariantCulture, out var one))
        {
            return (one, 1);
        }

        var start = int.TryParse(Environment.GetEnvironmentVariable("DISTATE_STORAGE_SEED_START"), CultureInfo.InvariantCulture, out var s) ? s : 1;
        var runs = int.TryParse(Environment.GetEnvironmentVariable("DISTATE_STORAGE_RUNS"), CultureInfo.InvariantCulture, out var r) ? r : 200;
        return (start, runs);
    }

    /// <summary>Runs one seed; returns true when the crash happened before the workload finished.</summary>
    private static async Task<bool> RunSeed(int seed)
    {
        var random = new Random(seed);
        var disk = new SimDisk(crashAtWrite: random.Next(1, 60), tearSeed: random.Next());
        using var dir = new TempDirectory();
        var model = new MemoryRaftStorage();
        var digests = new List<string> { Digest(model) };
        var acked = 0;
        var storage = FasterRaftStorage.Open(Options(dir.Path, disk));
        try
        {
            var workload = new Workload(random);
            for (var i = 0; i < Operations; i++)
            {
                var op = workload.Next(model);
                op.ApplyTo(model);
                digests.Add(Digest(model));
                try
                {
                    await op.RunAsync(storage);
                }
                catch (StorageFailedException)
                {
                    Assert.True(disk.Crashed, $"seed {seed}: storage failed without a crash");
                    break;
                }

                acked = i + 1;
            }
        }
        finally
        {
            await storage.DisposeAsync();
        }

        var survivor = disk.Survivor();
        var context = $"seed {seed}, {acked} operations acknowledged, crash: {disk.CrashFate}";
        using (var reopened = FasterRaftStorage.Open(Options(dir.Path, survivor)))
        {
            reopened.AssertInvariants();
            var recovered = Digest(reopened);
            var prefix = digests.FindIndex(acked, d => d == recovered);
            Assert.True(prefix >= acked, $"{context}: recovered state matches no prefix holding every acknowledged operation.\nrecovered:\n{recovered}\nlast acknowledged:\n{digests[acked]}");
            await AppendAfterRecovery(reopened);
        }

        using var again = FasterRaftStorage.Open(Options(dir.Path, survivor.Survivor()));
        again.AssertInvariants();
        Assert.True(again.LastIndex().Value >= 1, $"{context}: entries appended after recovery are lost");
        return disk.Crashed;
    }

    private static async Task AppendAfterRecovery(FasterRaftStorage storage)
    {
        var next = storage.LastIndex().Next.Value;
        var term = Math.Max(storage.InitialState().HardState.Term.Value, 1) + 10;
        await storage.PersistAsync(new HardState(new Term(term), NodeId.None, LogIndex.Zero), TestEntries.Run(next, 3, term, 100));
    }

    private static StorageOptions Options(string directory, SimDisk disk) => new()
    {
        Directory = directory,
        PageSizeBits = 14,
        MemorySizeBits = 16,
        SegmentSizeBits = 16,
        MaxEntryBytes = 6 << 10,
        DeviceFactory = path => new SimDevice(path, disk),
        CommitStoreFactory = _ => new SimCommitStore(disk),
        DirectorySyncHook = _ => { },
    };

    /// <summary>Everything a reader can observe: indexes, hard state, snapshot, and every entry's term, type and bytes.</summary>
    private static string Digest(IRaftLogStorage storage)
    {
        var text = new StringBuilder();
        var (hardState, conf) = storage.InitialState();
        var snapshot = storage.LatestSnapshot();
        var first = storage.FirstIndex();
        var last = storage.LastIndex();
        text.Append(CultureInfo.InvariantCulture, $"first {first} last {last} hs {hardState} voters {string.Join(',', conf.Voters)}");
        text.Append(CultureInfo.InvariantCulture, $" snap {snapshot.Metadata.Index}/{snapshot.Metadata.Term} {Hash(snapshot.Data.Span)}\n");
        text.Append(CultureInfo.InvariantCulture, $"base term {storage.TermAt(first.Previous)}\n");
        if (last >= first)
        {
            foreach (var entry in storage.Entries(first, last.Next, long.MaxValue))
            {
                text.Append(CultureInfo.InvariantCulture, $"{entry.Index} {entry.Term} {entry.Type} {Hash(entry.Data.Span)}\n");
            }
        }

        return text.ToString();
    }

    private static string Hash(ReadOnlySpan<byte> data) => data.Length + ":" + Convert.ToHexString(SHA256.HashData(data).AsSpan(0, 8));
}
