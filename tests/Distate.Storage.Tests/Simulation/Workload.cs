using Distate.Raft;

namespace Distate.Storage.Tests.Simulation;

/// <summary>One storage operation, applied to the model synchronously and to the storage awaiting durability.</summary>
public sealed record SimOperation(string Name, Action<MemoryRaftStorage> ApplyTo, Func<FasterRaftStorage, Task> RunAsync);

/// <summary>
/// Draws a seeded Raft-like workload: appends (mostly at the tail, sometimes replacing a suffix in a higher term),
/// hard-state writes, snapshots, compactions and received snapshots, always valid for the model's current state.
/// </summary>
public sealed class Workload(Random random)
{
    private ulong _term = 1;

    /// <summary>The next operation for a log currently in the state of <paramref name="model"/>.</summary>
    public SimOperation Next(MemoryRaftStorage model)
    {
        var first = model.FirstIndex().Value;
        var last = model.LastIndex().Value;
        var snapshotIndex = model.LatestSnapshot().Metadata.Index.Value;
        var roll = random.Next(100);
        if (roll < 8 && last >= first && last > snapshotIndex)
        {
            var index = new LogIndex(RandomIn(Math.Max(first, snapshotIndex + 1), last));
            var data = Bytes(random.Next(0, 300));
            return new("snapshot", m => m.CreateSnapshot(index, ConfState.OfVoters(1), data), async s => await s.CreateSnapshotAsync(index, ConfState.OfVoters(1), data));
        }

        if (roll < 16 && last >= first)
        {
            var index = new LogIndex(RandomIn(first, last));
            return new("compact", m => m.Compact(index), async s => await s.CompactAsync(index));
        }

        if (roll < 19)
        {
            _term++;
            var metadata = new SnapshotMetadata(new LogIndex(last + (ulong)random.Next(1, 5)), new Term(_term), ConfState.OfVoters(1));
            var snapshot = new Snapshot(metadata, Bytes(random.Next(0, 200)));
            return new("receive snapshot", m => m.ApplySnapshot(snapshot), async s => await s.ApplySnapshotAsync(snapshot));
        }

        if (roll < 27)
        {
            _term++;
            var hardState = new HardState(new Term(_term), new NodeId((ulong)random.Next(0, 4)), new LogIndex(RandomIn(0, last)));
            return new("hard state", m => m.SetHardState(hardState), async s => await s.SetHardStateAsync(hardState));
        }

        var replace = roll < 37 && last >= Math.Max(first, snapshotIndex + 1); // Raft never replaces snapshotted (committed) entries.
        if (replace)
        {
            _term++;
        }

        var start = replace ? RandomIn(Math.Max(first, snapshotIndex + 1), last) : last + 1;
        var entries = new Entry[random.Next(1, 5)];
        for (var i = 0; i < entries.Length; i++)
        {
            var size = random.Next(4) == 0 ? random.Next(1000, 6 << 10) : random.Next(16, 400);
            entries[i] = new Entry(new LogIndex(start + (ulong)i), new Term(_term), random.Next(6) == 0 ? EntryType.ConfChange : EntryType.Normal, Bytes(size));
        }

        HardState? state = random.Next(3) == 0 ? new HardState(new Term(_term), new NodeId(1), new LogIndex(RandomIn(0, start))) : null;
        return new(replace ? "replace suffix" : "append",
            m =>
            {
                m.Append(entries);
                if (state is { } hs)
                {
                    m.SetHardState(hs);
                }
            },
            async s => await s.PersistAsync(state, entries));
    }

    private ulong RandomIn(ulong low, ulong high) => low + (ulong)random.NextInt64(0, (long)(high - low + 1));

    private byte[] Bytes(int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }
}
