using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Faults;

// Proves that when the disk refuses a write (ENOSPC, EACCES, EIO injected under FasterLog by a wrapping device) the
// storage does not acknowledge it: the pending write faults with StorageFailedException carrying an actionable
// message (a full disk flagged IsDiskFull, so the host can reopen once there is room), every later write is refused, and after a restart on a healthy disk everything acknowledged before the
// fault is still there. Also proves that a directory that cannot be opened fails Open with the same typed error.
public sealed class DiskFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(28u)]
    [InlineData(13u)]
    [InlineData(5u)]
    public async Task Failed_write_is_not_acknowledged_and_storage_refuses_further_writes(uint errno)
    {
        using var dir = new TempDirectory();
        FaultyDevice? device = null;
        var options = TestEntries.Options(dir.Path, path => device = new FaultyDevice(path));
        var storage = FasterRaftStorage.Open(options, ConfState.OfVoters(1));
        await storage.PersistAsync(new HardState(new Term(1), new NodeId(1), LogIndex.Zero), TestEntries.Run(1, 5, 1)).AsTask().WaitAsync(Timeout);

        device!.FailWrites(errno);
        var failed = storage.PersistAsync(null, TestEntries.Run(6, 5, 1)).AsTask();
        var error = await Assert.ThrowsAsync<StorageFailedException>(() => failed.WaitAsync(Timeout));
        // ENOSPC is told apart (the host may reopen the storage once the disk has room); anything else means stop.
        Assert.Equal(errno == 28, error.IsDiskFull);
        Assert.Contains(errno == 28 ? "is full" : "must stop", error.Message, StringComparison.Ordinal);
        Assert.True(storage.IsFailed);
        var refused = await Assert.ThrowsAsync<StorageFailedException>(() => storage.PersistAsync(null, TestEntries.Run(11, 1, 1)).AsTask());
        Assert.Contains("refuses writes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(errno == 28, refused.IsDiskFull);
        await storage.DisposeAsync();

        using var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        Assert.True(reopened.LastIndex() >= new LogIndex(5));
        TestEntries.AssertSame(TestEntries.Run(1, 5, 1), reopened.Entries(new LogIndex(1), new LogIndex(6), long.MaxValue));
        Assert.Equal(new Term(1), reopened.InitialState().HardState.Term);
    }

    [Fact]
    public void Unusable_directory_fails_open_with_a_typed_actionable_error()
    {
        using var dir = new TempDirectory();
        var options = TestEntries.Options(dir.Path, path => throw new UnauthorizedAccessException($"Access to the path '{path}' is denied."));
        var error = Assert.Throws<StorageFailedException>(() => FasterRaftStorage.Open(options));
        Assert.Contains("writable", error.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(error.InnerException);
    }

    [Fact]
    public void Directory_blocked_by_a_file_fails_open_with_a_typed_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "log"), "not a directory");
        var error = Assert.Throws<StorageFailedException>(() => FasterRaftStorage.Open(TestEntries.Options(dir.Path)));
        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
    }
}
