using System.Diagnostics;
using System.Globalization;
using Distate.Raft;
using Distate.Storage;
using Distate.Storage.Bench;

// Append + durable commit of 128 B and 1 KiB entries, one writer and 64 concurrent writers, next to a raw
// pwrite + fdatasync loop on the same disk. Run: dotnet run -c Release --project bench/Distate.Storage.Bench
var root = args.Length > 0 ? args[0] : Path.Combine("/work", "bench-tmp-storage");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 4.0;
Directory.CreateDirectory(root);
Console.WriteLine($"directory {root}, {seconds} s per case");
foreach (var size in new[] { 128, 1024 })
{
    var raw = RawLoop(root, size, seconds);
    Report($"raw pwrite+fdatasync {size} B", raw);
    var single = await StorageLoop(root, size, 1, seconds);
    Report($"storage 1 writer {size} B", single, raw);
    var many = await StorageLoop(root, size, 64, seconds);
    Report($"storage 64 writers {size} B", many, raw);
}

Directory.Delete(root, recursive: true);

static (double OpsPerSecond, double P50Ms, double P99Ms) RawLoop(string root, int size, double seconds)
{
    var path = Path.Combine(root, "raw.bin");
    using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
    var data = new byte[size];
    var latencies = new List<double>();
    var watch = Stopwatch.StartNew();
    long offset = 0;
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        var start = Stopwatch.GetTimestamp();
        RawSync.WriteAndSync(handle, data, offset);
        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        offset += size;
    }

    File.Delete(path);
    return Summarise(latencies, watch.Elapsed.TotalSeconds);
}

static async Task<(double OpsPerSecond, double P50Ms, double P99Ms)> StorageLoop(string root, int size, int writers, double seconds)
{
    var dir = Path.Combine(root, $"store-{size}-{writers}");
    var storage = FasterRaftStorage.Open(new StorageOptions { Directory = dir }, ConfState.OfVoters(1));
    var gate = new Lock();
    ulong next = 1;
    var payload = new byte[size];
    var latencies = new List<double>[writers];
    var watch = Stopwatch.StartNew();
    var tasks = new Task[writers];
    for (var w = 0; w < writers; w++)
    {
        var mine = latencies[w] = [];
        tasks[w] = Task.Run(async () =>
        {
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var start = Stopwatch.GetTimestamp();
                Task durable;
                lock (gate)
                {
                    durable = storage.PersistAsync(null, [new Entry(new LogIndex(next), new Term(1), EntryType.Normal, payload)]).AsTask();
                    next++;
                }

                await durable;
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
    }

    await Task.WhenAll(tasks);
    var elapsed = watch.Elapsed.TotalSeconds;
    await storage.DisposeAsync();
    Directory.Delete(dir, recursive: true);
    return Summarise(latencies.SelectMany(l => l).ToList(), elapsed);
}

static (double, double, double) Summarise(List<double> latencies, double seconds)
{
    latencies.Sort();
    return (latencies.Count / seconds, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
}

static void Report(string name, (double OpsPerSecond, double P50Ms, double P99Ms) r, (double OpsPerSecond, double P50Ms, double P99Ms)? raw = null)
{
    var ratio = raw is { } b ? $" | {r.OpsPerSecond / b.OpsPerSecond:P0} of raw ops/s, p50 {r.P50Ms / b.P50Ms:F2}x raw" : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {r.OpsPerSecond,10:F0} ops/s  p50 {r.P50Ms:F3} ms  p99 {r.P99Ms:F3} ms{ratio}"));
}
