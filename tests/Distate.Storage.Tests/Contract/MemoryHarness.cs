using Distate.Raft;

namespace Distate.Storage.Tests.Contract;

/// <summary>The reference: MemoryRaftStorage.</summary>
public sealed class MemoryHarness(ConfState? bootstrap) : IStorageHarness
{
    private readonly MemoryRaftStorage _storage = bootstrap is null ? new() : new(bootstrap);

    public IRaftLogStorage Storage => _storage;

    public void SetHardState(HardState state) => _storage.SetHardState(state);

    public void Append(IReadOnlyList<Entry> entries) => _storage.Append(entries);

    public void ApplySnapshot(Snapshot snapshot) => _storage.ApplySnapshot(snapshot);

    public Snapshot CreateSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data) => _storage.CreateSnapshot(index, confState, data);

    public void Compact(LogIndex index) => _storage.Compact(index);

    public void Reopen() { }

    public void Dispose() { }
}
