using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Contract;

/// <summary>The durable storage, in a temporary directory, reopened on demand.</summary>
public sealed class FasterHarness : IStorageHarness
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();
    private FasterRaftStorage _storage;

    public FasterHarness(ConfState? bootstrap)
    {
        _storage = FasterRaftStorage.Open(TestEntries.Options(_directory.Path), bootstrap);
    }

    public IRaftLogStorage Storage => _storage;

    public FasterRaftStorage Durable => _storage;

    public string Directory => _directory.Path;

    public void SetHardState(HardState state) => Wait(_storage.SetHardStateAsync(state).AsTask());

    public void Append(IReadOnlyList<Entry> entries) => Wait(_storage.PersistAsync(null, entries).AsTask());

    public void ApplySnapshot(Snapshot snapshot) => Wait(_storage.ApplySnapshotAsync(snapshot).AsTask());

    public Snapshot CreateSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data)
    {
        var task = _storage.CreateSnapshotAsync(index, confState, data).AsTask();
        Wait(task);
        return task.Result;
    }

    public void Compact(LogIndex index) => Wait(_storage.CompactAsync(index).AsTask());

    public void Reopen()
    {
        _storage.Dispose();
        _storage = FasterRaftStorage.Open(TestEntries.Options(_directory.Path));
        _storage.AssertInvariants();
    }

    public void Dispose()
    {
        _storage.Dispose();
        _directory.Dispose();
    }

    private static void Wait(Task task) => task.WaitAsync(WriteTimeout).GetAwaiter().GetResult();
}
