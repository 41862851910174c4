using System.Globalization;
using Distate.Raft;
using Distate.Storage;
using Distate.Storage.CrashChild;

// Usage: Distate.Storage.CrashChild <directory> <seed>
// Reopens the storage (recovering whatever the last kill left), then appends batches forever. Every few batches it
// rewinds 1-3 entries and rewrites them in a higher term (suffix replacement), always ending past the old last index.
// After each batch is durable it prints "ACK <first> <last> <term>"; the parent kills it with SIGKILL at any moment.
var directory = args[0];
var random = new Random(int.Parse(args[1], CultureInfo.InvariantCulture));
await using var storage = FasterRaftStorage.Open(new StorageOptions { Directory = directory, PageSizeBits = 16, MemorySizeBits = 18, SegmentSizeBits = 20, MaxEntryBytes = 4096 });
var last = storage.LastIndex().Value;
var term = Math.Max(1, last == 0 ? 1 : storage.TermAt(storage.LastIndex()).Value);
Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {last} {term}"));
Console.Out.Flush();
while (true)
{
    var first = last + 1;
    if (last > 3 && random.Next(5) == 0)
    {
        first = last + 1 - (ulong)random.Next(1, 4);
        term++;
    }

    var count = (int)(last + 1 - first) + random.Next(1, 20);
    var batch = new Entry[count];
    for (var i = 0; i < count; i++)
    {
        batch[i] = CrashPayload.Make(first + (ulong)i, term);
    }

    await storage.PersistAsync(new HardState(new Term(term), new NodeId(1), LogIndex.Zero), batch);
    last = first + (ulong)count - 1;
    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {first} {last} {term}"));
    Console.Out.Flush();
}
