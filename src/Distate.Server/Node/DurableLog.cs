using Distate.Raft;
using Distate.Storage;
using Distate.Storage.Io;
using Distate.Storage.Snapshots;
using Seams = Distate.Node.Seams;

namespace Distate.Server.Node;

/// <summary>
/// The member's durable Raft log: FASTER storage (<see cref="FasterRaftStorage"/>) that survives a full disk. Beside the
/// log it keeps a <see cref="DiskReserve"/>. When a write fails because the disk is full:
/// 1. the reserve is deleted, giving back room for the write that failed and for the small writes of a member that
///    only reads (hard state on elections, housekeeping entries);
/// 2. the storage is closed and reopened from disk — FASTER cannot go on after a failed flush, but recovery rebuilds the
///    durable prefix exactly as after a restart, so nothing acknowledged is lost and nothing unacknowledged is kept;
/// 3. the failed write is made again (the node loop has not advanced Raft past it), and
/// 4. the log turns read-only (<see cref="ReadOnlyReason"/>): the member refuses client writes at its door until
///    <see cref="TryLeaveReadOnly"/> finds room for the reserve again.
/// A second full disk with no reserve left is fatal (the exception propagates), as is every other storage failure.
/// Threads: the node loop makes every write and the reopen; the snapshot writer stages files; a background check calls
/// <see cref="TryLeaveReadOnly"/>. Reads for Raft go to whichever storage is current.
/// </summary>
internal sealed class DurableLog : Seams.IDurableLog, IAsyncDisposable
{
    private readonly StorageOptions _options;
    private readonly DiskReserve _reserve;
    private readonly ILogger _logger;
    private readonly Func<string, long?> _availableBytes;
    private readonly Lock _reserveGate = new();

    /// <summary>The open storage; replaced only by the node loop (<see cref="SurviveFullDiskAsync"/>).</summary>
    private volatile FasterRaftStorage _current;

    /// <summary>Why writes are refused (disk full); null while writable. Set by the loop, cleared by the background check.</summary>
    private volatile string? _readOnlyReason;

    /// <summary>Counts reopenings; a snapshot staged on an earlier storage is not recorded on a later one. Loop only.</summary>
    private int _generation;

    private DurableLog(StorageOptions options, FasterRaftStorage storage, DiskReserve reserve, ILogger logger, Func<string, long?> availableBytes)
    {
        _options = options;
        _current = storage;
        _reserve = reserve;
        _logger = logger;
        _availableBytes = availableBytes;
    }

    /// <summary>Opens (recovering) the storage and puts the reserve in place; read-only from the start when the disk
    /// lacks room for the reserve. <paramref name="availableBytes"/> reads free space (a seam for tests; default the real one).</summary>
    public static DurableLog Open(StorageOptions options, long reserveBytes, ILogger logger, Func<string, long?>? availableBytes = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = new DurableLog(
            options, FasterRaftStorage.Open(options), new DiskReserve(options.Directory, reserveBytes), logger, availableBytes ?? DiskSpace.AvailableBytes);
        if (reserveBytes > 0 && !log._reserve.TryHold())
        {
            log._readOnlyReason = log.NoRoomForReserve();
            NodeLog.ReadOnly(logger, log._readOnlyReason);
        }

        return log;
    }

    /// <summary>Why this member refuses client writes (its disk is full); null while it accepts them.</summary>
    public string? ReadOnlyReason => _readOnlyReason;

    /// <summary>The persisted hard state.</summary>
    public HardState HardState => _current.HardState;

    /// <summary>The generation of the current storage, for <see cref="StageSnapshot"/>.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <inheritdoc />
    public (HardState HardState, ConfState ConfState) InitialState() => _current.InitialState();

    /// <inheritdoc />
    public IReadOnlyList<Entry> Entries(LogIndex low, LogIndex high, long maxBytes) => _current.Entries(low, high, maxBytes);

    /// <inheritdoc />
    public Term TermAt(LogIndex index) => _current.TermAt(index);

    /// <inheritdoc />
    public LogIndex FirstIndex() => _current.FirstIndex();

    /// <inheritdoc />
    public LogIndex LastIndex() => _current.LastIndex();

    /// <inheritdoc />
    public Snapshot LatestSnapshot() => _current.LatestSnapshot();

    /// <summary>Persists a Ready's entries and hard state (see <see cref="FasterRaftStorage.PersistAsync"/>), surviving one full disk.</summary>
    public async ValueTask PersistAsync(HardState? hardState, IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        try
        {
            await _current.PersistAsync(hardState, entries, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageFailedException ex) when (ex.IsDiskFull)
        {
            await SurviveFullDiskAsync(ex).ConfigureAwait(false);
            await _current.PersistAsync(hardState, entries, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Installs a snapshot received from the leader, surviving one full disk.</summary>
    public async ValueTask ApplySnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            await _current.ApplySnapshotAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageFailedException ex) when (ex.IsDiskFull)
        {
            await SurviveFullDiskAsync(ex).ConfigureAwait(false);
            await _current.ApplySnapshotAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a snapshot file beside the loop (see <see cref="FasterRaftStorage.StageSnapshot"/>); null when
    /// superseded, or when the disk is full or the storage is being reopened (a snapshot is optional: the next one
    /// is tried later).</summary>
    public Seams.StagedSnapshot? StageSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data)
    {
        var generation = Generation;
        try
        {
            return _current.StageSnapshot(index, confState, data) is { } staged
                ? new Seams.StagedSnapshot(index, new StagedOn(staged, generation))
                : null;
        }
        catch (StorageFailedException ex) when (ex.IsDiskFull)
        {
            NodeLog.SnapshotSkipped(_logger, index.Value, ex.Message);
            return null;
        }
        catch (ObjectDisposedException) when (generation != Generation)
        {
            return null;
        }
    }

    /// <summary>Records a staged snapshot; false when superseded, staged on an earlier storage, or the disk is full.</summary>
    public async ValueTask<bool> CommitSnapshotAsync(Seams.StagedSnapshot staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var (file, generation) = (StagedOn)staged.Token;
        if (generation != Generation)
        {
            return false;
        }

        try
        {
            return await _current.CommitSnapshotAsync(file, cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (StorageFailedException ex) when (ex.IsDiskFull)
        {
            await SurviveFullDiskAsync(ex).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>A staged snapshot file and the storage generation it was staged on.</summary>
    private sealed record StagedOn(StagedSnapshot File, int Generation);

    /// <summary>Drops log entries behind a snapshot; skipped (nothing lost) when the disk is full.</summary>
    public async ValueTask CompactAsync(LogIndex index, CancellationToken cancellationToken)
    {
        try
        {
            await _current.CompactAsync(index, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageFailedException ex) when (ex.IsDiskFull)
        {
            await SurviveFullDiskAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// While read-only: once the disk has room for the reserve and as much again, puts the reserve back and accepts
    /// writes again. Returns true when it did.
    /// </summary>
    public bool TryLeaveReadOnly()
    {
        if (_readOnlyReason is null || _availableBytes(_options.Directory) is not { } available || available < 2 * _reserve.Bytes)
        {
            return false;
        }

        lock (_reserveGate)
        {
            if (!_reserve.TryHold())
            {
                return false;
            }
        }

        _readOnlyReason = null;
        NodeLog.DiskHasRoom(_logger, _options.Directory, available);
        return true;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _current.DisposeAsync();

    /// <summary>
    /// Steps 1–2 and 4 of the class summary: gives back the reserve, reopens the storage, turns read-only. Throws when
    /// there is no reserve left to give (a second full disk): the member cannot go on and must stop.
    /// </summary>
    private async Task SurviveFullDiskAsync(StorageFailedException failure)
    {
        bool released;
        lock (_reserveGate)
        {
            released = _reserve.Release();
        }

        if (!released)
        {
            throw new StorageFailedException(
                $"{failure.Message} No disk reserve is left to fall back on (--disk-reserve-bytes {_reserve.Bytes}); the member must stop.", failure);
        }

        _readOnlyReason = $"the disk holding '{_options.Directory}' is full: writes are refused until space is freed; reads still work";
        NodeLog.DiskFull(_logger, failure, _reserve.Bytes);
        var failed = _current;
        try
        {
            await failed.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageFailedException or IOException or FASTER.core.FasterException)
        {
            NodeLog.CloseFailed(_logger, ex.Message);
        }

        _current = FasterRaftStorage.Open(_options);
        Interlocked.Increment(ref _generation);
    }

    private string NoRoomForReserve() =>
        $"the disk holding '{_options.Directory}' has {_availableBytes(_options.Directory)} bytes free, less than the " +
        $"{_reserve.Bytes}-byte disk reserve: writes are refused until space is freed; reads still work";
}
