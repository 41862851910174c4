using System.Diagnostics;
using BenchmarkDotNet.Running;
using Distate.Raft.Bench;

// `--quick`: a plain timed loop printing entries/s and bytes allocated per entry (seconds, not minutes).
// Otherwise BenchmarkDotNet runs ProposeCommitBenchmark (pass BenchmarkDotNet arguments through).
if (args.Contains("--quick"))
{
    foreach (var batchSize in new[] { 1, 10, 100, 1000 })
    {
        QuickRun(batchSize, payloadBytes: 128, seconds: 3);
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ProposeCommitBenchmark).Assembly).Run(args);

static void QuickRun(int batchSize, int payloadBytes, double seconds)
{
    var cluster = new InMemoryCluster(3);
    var payload = new byte[payloadBytes];
    var batch = Enumerable.Repeat((ReadOnlyMemory<byte>)payload, batchSize).ToArray();
    for (var i = 0; i < 200; i++)
    {
        cluster.ProposeAndCommit(batch);
    }

    var start = cluster.AppliedOnLeader;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var gcBefore = GC.CollectionCount(0);
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        cluster.ProposeAndCommit(batch);
    }

    watch.Stop();
    var entries = cluster.AppliedOnLeader - start;
    var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    Console.WriteLine(
        $"batch {batchSize,5} x {payloadBytes} B: {entries / watch.Elapsed.TotalSeconds,12:N0} entries/s, " +
        $"{(double)allocated / entries,8:N1} B allocated/entry, gen0 GCs {GC.CollectionCount(0) - gcBefore}");
}
