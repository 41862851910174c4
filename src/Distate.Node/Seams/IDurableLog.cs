using Distate.Raft;

namespace Distate.Node.Seams;

/// <summary>
/// The durable Raft log the driver persists to: Raft reads it (<see cref="IRaftLogStorage"/>), the driver writes it.
/// Production: FASTER storage that survives a full disk; simulator: memory that a crash truncates to what was persisted.
/// Every write's task completes only once the write is durable.
/// </summary>
public interface IDurableLog : IRaftLogStorage
{
    /// <summary>The persisted hard state.</summary>
    HardState HardState { get; }

    /// <summary>Why the log refuses client writes now (a full disk); null while it accepts them.</summary>
    string? ReadOnlyReason { get; }

    /// <summary>Persists entries (replacing a conflicting suffix) and then the hard state, durably.</summary>
    ValueTask PersistAsync(HardState? hardState, IReadOnlyList<Entry> entries, CancellationToken cancellationToken);

    /// <summary>Replaces the log with a snapshot received from the leader, durably.</summary>
    ValueTask ApplySnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Writes a snapshot's data beside the log (any thread, slow); null when a newer snapshot covers the index
    /// or the snapshot cannot be written now (it is optional: the next one is tried later).</summary>
    StagedSnapshot? StageSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data);

    /// <summary>Records a staged snapshot (quick); false when it was superseded or cannot be recorded now.</summary>
    ValueTask<bool> CommitSnapshotAsync(StagedSnapshot staged, CancellationToken cancellationToken);

    /// <summary>Drops entries up to and including <paramref name="index"/> (a snapshot covers them).</summary>
    ValueTask CompactAsync(LogIndex index, CancellationToken cancellationToken);
}

/// <summary>A snapshot whose data is written but not yet recorded in the log.</summary>
/// <param name="Index">The log index the snapshot covers.</param>
/// <param name="Token">What the log needs to record it (opaque to the driver).</param>
public sealed record StagedSnapshot(LogIndex Index, object Token);
