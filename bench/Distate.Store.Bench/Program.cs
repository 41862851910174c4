using System.Diagnostics;
using System.Globalization;
using System.Text;
using Distate.Store;
using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Results;
using Distate.Store.Watch;

namespace Distate.Store.Bench;

/// <summary>Stopwatch load program for the MVCC store (docs/benchmarks.md); `--quick` runs a smaller smoke version.</summary>
public static class Program
{
    private const int KeyBytes = 64;
    private const int ValueBytes = 256;

    public static async Task<int> Main(string[] args)
    {
        bool quick = args.Contains("--quick");
        if (args.Contains("--memory"))
        {
            Console.WriteLine($"# Distate.Store memory, .NET {Environment.Version}");
            MemoryPerKey(100_000);
            MemoryPerRevision(100_000);
            return 0;
        }

        int keys = quick ? 20_000 : 100_000;
        int puts = quick ? 50_000 : 500_000;
        int txns = quick ? 20_000 : 200_000;
        int watchers = 1_000;
        int fanOutPuts = quick ? 1_000 : 10_000;
        Console.WriteLine($"# Distate.Store bench ({(quick ? "quick" : "full")}), .NET {Environment.Version}, {Environment.ProcessorCount} cores");

        ApplyPuts(puts, encoded: false);
        ApplyPuts(puts, encoded: true);
        ApplyTxns(txns);
        RangeAll(keys);
        MemoryPerKey(keys);
        SnapshotAndHash(keys);
        await WatchFanOut(watchers, fanOutPuts).ConfigureAwait(false);
        return 0;
    }

    internal static byte[] Key(int i) => Encoding.ASCII.GetBytes($"/registry/pods/ns-{i % 101:D4}/pod-{i:D10}-").Concat(new byte[KeyBytes]).Take(KeyBytes).ToArray();

    internal static byte[] Value(int i)
    {
        var value = new byte[ValueBytes];
        BitConverter.TryWriteBytes(value, i);
        return value;
    }

    private static void Report(string name, long operations, TimeSpan elapsed, string unit = "ops/s") =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-58} {operations / elapsed.TotalSeconds,14:N0} {unit}  ({operations:N0} in {elapsed.TotalMilliseconds:N0} ms)"));

    private static void ApplyPuts(int count, bool encoded)
    {
        // Commands are built (and encoded) before timing: the Raft log hands the store ready bytes.
        var commands = new PutCommand[count];
        var entries = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            commands[i] = new PutCommand { Key = Key(i % 100_000), Value = Value(i) };
            entries[i] = encoded ? CommandCodec.Encode(commands[i]) : [];
        }

        using var store = new KvStore();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            StoreResult result = encoded ? store.Apply(entries[i]) : store.Apply(commands[i]);
            if (result is not PutResult)
            {
                throw new InvalidOperationException(result.ToString());
            }
        }

        Report(encoded ? "apply put, decoded from log bytes (100k distinct keys)" : "apply put, command objects (100k distinct keys)", count, watch.Elapsed);
    }

    private static void ApplyTxns(int count)
    {
        var commands = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            int k = (i * 4) % 100_000;
            commands[i] = CommandCodec.Encode(new TxnCommand
            {
                Compares = [new Compare { Key = Key(k), Target = CompareTarget.Version, Operator = CompareOperator.Greater, Number = -1 }],
                Success =
                [
                    new PutCommand { Key = Key(k), Value = Value(i) },
                    new PutCommand { Key = Key(k + 1), Value = Value(i) },
                    new PutCommand { Key = Key(k + 2), Value = Value(i) },
                    new RangeCommand { Key = Key(k + 3) },
                ],
            });
        }

        using var store = new KvStore();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            if (store.Apply(commands[i]) is not TxnResult { Succeeded: true })
            {
                throw new InvalidOperationException("txn failed");
            }
        }

        Report("apply txn: 1 compare + 3 puts + 1 range (4 ops), from bytes", count, watch.Elapsed, "txn/s");
    }

    private static KvStore Filled(int keys)
    {
        var store = new KvStore();
        for (int i = 0; i < keys; i++)
        {
            store.Apply(new PutCommand { Key = Key(i), Value = Value(i) });
        }

        return store;
    }

    private static void RangeAll(int keys)
    {
        using KvStore store = Filled(keys);
        var all = new RangeCommand { Key = [0], RangeEnd = KeyRanges.FromKey };
        var countOnly = all with { CountOnly = true };
        var limited = all with { Limit = 100 };
        foreach ((string name, RangeCommand command) in new[] { ("range all keys", all), ("range all keys, count only", countOnly), ("range limit 100 over all keys", limited) })
        {
            store.Range(command);
            int rounds = 0;
            var watch = Stopwatch.StartNew();
            long returned = 0;
            while (watch.ElapsedMilliseconds < 1000 || rounds < 5)
            {
                returned += ((RangeResult)store.Range(command)).Count;
                rounds++;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name + $" ({keys:N0} keys)",-58} {watch.Elapsed.TotalMilliseconds / rounds,14:N2} ms/range  ({returned / watch.Elapsed.TotalSeconds:N0} keys/s)"));
        }
    }

    private static void MemoryPerKey(int keys)
    {
        // The store owns the arrays of the commands it applies, so they are created inside the measured region.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new KvStore();
        for (int i = 0; i < keys; i++)
        {
            store.Apply(new PutCommand { Key = Key(i), Value = Value(i) });
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perKey = (after - before) / (double)keys;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{$"memory per key ({keys:N0} keys, {KeyBytes} B key, {ValueBytes} B value)",-58} {perKey,14:N0} B/key  (payload {KeyBytes + ValueBytes} B, overhead {perKey - KeyBytes - ValueBytes:N0} B)"));
        GC.KeepAlive(store);
    }

    /// <summary>Heap per retained revision: many puts to one key (every version kept until compaction), then what a
    /// compaction to the current revision gives back.</summary>
    private static void MemoryPerRevision(int revisions)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new KvStore();
        byte[] key = Key(0);
        for (int i = 0; i < revisions; i++)
        {
            store.Apply(new PutCommand { Key = key, Value = Value(i) });
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perRevision = (after - before) / (double)revisions;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{$"memory per retained revision ({revisions:N0} puts to one key, {ValueBytes} B value)",-58} {perRevision,14:N0} B/rev  (overhead over the value {perRevision - ValueBytes:N0} B)"));
        store.Apply(new CompactCommand(store.CurrentRevision));
        long compacted = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"memory left after compacting to the current revision",-58} {compacted - before,14:N0} B  (was {after - before:N0} B)"));
        GC.KeepAlive(store);
    }

    private static void SnapshotAndHash(int keys)
    {
        using KvStore store = Filled(keys);
        var watch = Stopwatch.StartNew();
        using var image = new MemoryStream();
        store.WriteSnapshot(image);
        Report($"snapshot write ({keys:N0} keys, {image.Length / 1024.0 / 1024.0:N1} MiB)", image.Length, watch.Elapsed, "B/s");
        image.Position = 0;
        watch.Restart();
        using var restored = new KvStore();
        restored.RestoreSnapshot(image);
        Report($"snapshot restore + verify ({keys:N0} keys)", image.Length, watch.Elapsed, "B/s");
        watch.Restart();
        store.HashKv(Revision.None);
        Report($"HashKV ({keys:N0} keys)", keys, watch.Elapsed, "versions/s");
    }

    private static async Task WatchFanOut(int watcherCount, int puts)
    {
        using var store = new KvStore(new StoreSettings { WatcherBufferResponses = 1024 });
        var watchers = new Watcher[watcherCount];
        for (int i = 0; i < watcherCount; i++)
        {
            watchers[i] = store.Watch(new WatchRequest { Key = Encoding.ASCII.GetBytes("/registry/"), RangeEnd = KeyRanges.PrefixEnd(Encoding.ASCII.GetBytes("/registry/")) });
        }

        long lastRevision = puts + 1;
        long delivered = 0;
        async Task Drain(Watcher watcher)
        {
            while (true)
            {
                WatchResponse response = await watcher.ReadAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("watch ended");
                Interlocked.Add(ref delivered, response.Events.Count);
                if (response.Revision.Value >= lastRevision)
                {
                    return;
                }
            }
        }

        var watch = Stopwatch.StartNew();
        Task[] drains = [.. watchers.Select(w => Task.Run(() => Drain(w)))];
        for (int i = 0; i < puts; i++)
        {
            store.Apply(new PutCommand { Key = Key(i), Value = Value(i) });
        }

        TimeSpan applyTime = watch.Elapsed;
        await Task.WhenAll(drains).ConfigureAwait(false);
        TimeSpan total = watch.Elapsed;
        Report($"watch fan-out: apply put with {watcherCount:N0} watchers", puts, applyTime);
        Report($"watch fan-out: events delivered to {watcherCount:N0} watchers", delivered, total, "events/s");
        foreach (Watcher watcher in watchers)
        {
            watcher.Dispose();
        }
    }
}
