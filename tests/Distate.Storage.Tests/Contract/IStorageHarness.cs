using Distate.Raft;

namespace Distate.Storage.Tests.Contract;

/// <summary>One storage implementation driven through the write side MemoryRaftStorage defines.</summary>
public interface IStorageHarness : IDisposable
{
    /// <summary>The read side under test.</summary>
    IRaftLogStorage Storage { get; }

    /// <summary>Persists a hard state.</summary>
    void SetHardState(HardState state);

    /// <summary>Appends entries, replacing a conflicting suffix.</summary>
    void Append(IReadOnlyList<Entry> entries);

    /// <summary>Replaces the log with a received snapshot.</summary>
    void ApplySnapshot(Snapshot snapshot);

    /// <summary>Records a snapshot at index.</summary>
    Snapshot CreateSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data);

    /// <summary>Drops entries up to index.</summary>
    void Compact(LogIndex index);

    /// <summary>Closes and reopens (a no-op for memory): state must survive.</summary>
    void Reopen();
}
