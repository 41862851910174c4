using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Simulation.Host;

/// <summary>
/// The simulator's durable log: memory that survives a crash of its node. Every write is durable the moment it
/// returns, so what a crash loses is exactly what the driver had not yet persisted.
/// </summary>
public sealed class SimDurableLog(MemoryRaftStorage storage) : IDurableLog
{
    /// <summary>The storage under the log (kept by the node across crashes).</summary>
    public MemoryRaftStorage Storage { get; } = storage;

    /// <inheritdoc />
    public HardState HardState => Storage.HardState;

    /// <inheritdoc />
    public string? ReadOnlyReason => null;

    /// <inheritdoc />
    public (HardState HardState, ConfState ConfState) InitialState() => Storage.InitialState();

    /// <inheritdoc />
    public IReadOnlyList<Entry> Entries(LogIndex low, LogIndex high, long maxBytes) => Storage.Entries(low, high, maxBytes);

    /// <inheritdoc />
    public Term TermAt(LogIndex index) => Storage.TermAt(index);

    /// <inheritdoc />
    public LogIndex FirstIndex() => Storage.FirstIndex();

    /// <inheritdoc />
    public LogIndex LastIndex() => Storage.LastIndex();

    /// <inheritdoc />
    public Snapshot LatestSnapshot() => Storage.LatestSnapshot();

    /// <inheritdoc />
    public ValueTask PersistAsync(HardState? hardState, IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        Storage.Append(entries);
        if (hardState is { } state)
        {
            Storage.SetHardState(state);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ApplySnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        Storage.ApplySnapshot(snapshot);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public StagedSnapshot? StageSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data) =>
        index <= Storage.LatestSnapshot().Metadata.Index ? null : new StagedSnapshot(index, (confState, data));

    /// <inheritdoc />
    public ValueTask<bool> CommitSnapshotAsync(StagedSnapshot staged, CancellationToken cancellationToken)
    {
        // Superseded by a newer snapshot (one received from the leader), or past a log a received snapshot cut back.
        if (staged.Index <= Storage.LatestSnapshot().Metadata.Index || staged.Index > Storage.LastIndex())
        {
            return ValueTask.FromResult(false);
        }

        var (confState, data) = ((ConfState, ReadOnlyMemory<byte>))staged.Token;
        Storage.CreateSnapshot(staged.Index, confState, data);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public ValueTask CompactAsync(LogIndex index, CancellationToken cancellationToken)
    {
        Storage.Compact(index);
        return ValueTask.CompletedTask;
    }
}
