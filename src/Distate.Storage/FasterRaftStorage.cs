using System.Threading.Channels;
using Distate.Raft;
using Distate.Storage.Io;
using Distate.Storage.Log;
using Distate.Storage.Snapshots;
using FASTER.core;

namespace Distate.Storage;

/// <summary>
/// The durable Raft log on FASTER's FasterLog: hard state, entries, snapshots and compaction are records in one
/// append-only log; an in-memory image (every live entry) answers the synchronous <see cref="IRaftLogStorage"/>
/// reads, and recovery rebuilds it by replay. Behaves exactly like <see cref="MemoryRaftStorage"/>, plus durability:
/// a write's task completes only once its record is on stable storage (group-committed with concurrent writes).
/// </summary>
/// <remarks>
/// Thread-safety: reads and writes may come from any thread; writes are ordered by call order (the record is
/// enqueued before the write method returns its task). Invariant: the image reflects every enqueued record in
/// address order; a write is acknowledged only when FasterLog's committed address covers its record.
/// </remarks>
public sealed partial class FasterRaftStorage : IRaftLogStorage, IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private readonly StorageOptions _options;
    private readonly FasterLogSettings _settings;
    private readonly FasterLog _log;
    private readonly SparseLogCommitManager _commitManager;
    private readonly SnapshotStore _snapshots;
    private readonly InMemoryLog _image;
    private readonly Channel<bool> _commitSignal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    /// <summary>
    /// The latest snapshot's bytes while someone still holds them (the writer's buffer, a follower being sent them);
    /// otherwise they are read back from the snapshot file on demand, so a large snapshot does not stay on the heap.
    /// </summary>
    private WeakReference<byte[]>? _snapshotData;
    private Task _committer = Task.CompletedTask;
    private bool _closed;

    /// <summary>Lowest segment id that may still hold a file (everything below the begin address is deleted).</summary>
    private int _firstLiveSegment;

    private FasterRaftStorage(StorageOptions options, FasterLogSettings settings, FasterLog log, SnapshotStore snapshots, InMemoryLog image)
    {
        _options = options;
        _settings = settings;
        _log = log;
        _commitManager = (SparseLogCommitManager)settings.LogCommitManager;
        _firstLiveSegment = 0; // Leftovers below the recovered begin address are removed by the first compaction.
        _snapshots = snapshots;
        _image = image;
    }

    /// <summary>The directory this storage lives in.</summary>
    public string Directory => _options.Directory;

    /// <summary>True once a write could not be persisted; every later write throws <see cref="StorageFailedException"/>.</summary>
    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    /// <summary>FasterLog's begin address: records below it were truncated away (TruncateUntil).</summary>
    internal long LogBeginAddress => _log.BeginAddress;

    /// <summary>FASTER commit metadata blobs written by this instance (written only when the begin address moves).</summary>
    internal int CommitBlobsWritten => _commitManager.BlobsWritten;

    /// <summary>The persisted hard state.</summary>
    public HardState HardState
    {
        get
        {
            lock (_gate)
            {
                return _image.HardState;
            }
        }
    }

    /// <summary>
    /// Opens (recovering) or creates the storage in <paramref name="options"/>.Directory. When the log is empty and
    /// <paramref name="bootstrap"/> is given, a snapshot at index 0 with that membership is persisted first, as
    /// <c>new MemoryRaftStorage(bootstrap)</c> starts. Throws <see cref="StorageFailedException"/> when the directory
    /// cannot be used and <see cref="StorageCorruptionException"/> when acknowledged data is damaged.
    /// </summary>
    public static FasterRaftStorage Open(StorageOptions options, ConfState? bootstrap = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (settings, log) = OpenLog(options);
        try
        {
            var snapshots = new SnapshotStore(options.SnapshotDirectory, options.MaxSnapshotBytes);
            var recovered = Recover(log);
            var storage = new FasterRaftStorage(options, settings, log, snapshots, recovered.Image);
            storage.FinishOpen(recovered, bootstrap);
            return storage;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Dispose();
            settings.LogDevice.Dispose();
            throw new StorageFailedException(
                $"cannot open storage in '{options.Directory}': {ex.Message}. Check that the directory exists, is writable by this user and the disk has space.", ex);
        }
        catch
        {
            log.Dispose();
            settings.LogDevice.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public (HardState HardState, ConfState ConfState) InitialState()
    {
        lock (_gate)
        {
            return (_image.HardState, _image.Snapshot.Metadata.ConfState);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Entry> Entries(LogIndex low, LogIndex high, long maxBytes)
    {
        lock (_gate)
        {
            return _image.Range(low, high, maxBytes);
        }
    }

    /// <inheritdoc />
    public Term TermAt(LogIndex index)
    {
        lock (_gate)
        {
            return _image.TermAt(index);
        }
    }

    /// <inheritdoc />
    public LogIndex FirstIndex()
    {
        lock (_gate)
        {
            return _image.FirstIndex;
        }
    }

    /// <inheritdoc />
    public LogIndex LastIndex()
    {
        lock (_gate)
        {
            return _image.LastIndex;
        }
    }

    /// <inheritdoc />
    public Snapshot LatestSnapshot()
    {
        // Bounded: each retry means a newer snapshot replaced the one being read, which needs a full snapshot cycle.
        for (var attempt = 0; ; attempt++)
        {
            Log.SnapshotReference reference;
            lock (_gate)
            {
                reference = _image.Snapshot;
                if (IsEmptySnapshot(reference))
                {
                    return Snapshot.Empty;
                }

                if (reference.DataLength == 0)
                {
                    return new Snapshot(reference.Metadata, ReadOnlyMemory<byte>.Empty);
                }

                if (_snapshotData is { } weak && weak.TryGetTarget(out var held))
                {
                    return new Snapshot(reference.Metadata, held);
                }
            }

            // Read outside the lock (it may be tens of MB); the log goes on meanwhile.
            try
            {
                var data = _snapshots.Load(reference.Metadata.Index, reference.Metadata.Term, reference.DataCrc, reference.DataLength);
                Invariant.Check(data.Length == reference.DataLength, "a loaded snapshot has the length its record names");
                lock (_gate)
                {
                    if (ReferenceEquals(_image.Snapshot, reference))
                    {
                        _snapshotData = new WeakReference<byte[]>(data);
                        return new Snapshot(reference.Metadata, data);
                    }
                }
            }
            catch (StorageCorruptionException) when (attempt < 3 && !ReferenceEquals(CurrentSnapshotReference(), reference))
            {
                // A newer snapshot was recorded and the old file removed while it was being read: read the newer one.
            }
        }
    }

    private Log.SnapshotReference CurrentSnapshotReference()
    {
        lock (_gate)
        {
            return _image.Snapshot;
        }
    }

    private static bool IsEmptySnapshot(Log.SnapshotReference reference) =>
        reference.Metadata.Index == LogIndex.Zero && reference.Metadata.ConfState.Voters.Length == 0
        && reference.Metadata.ConfState.Learners.Length == 0;

    /// <summary>Checks the in-memory image's whole-structure invariants (tests and simulation).</summary>
    public void AssertInvariants()
    {
        lock (_gate)
        {
            _image.AssertInvariants();
            Invariant.Check(
                _snapshotData is null || !_snapshotData.TryGetTarget(out var held) || held.Length == _image.Snapshot.DataLength,
                "held snapshot data matches its record");
        }
    }

    /// <summary>Stops accepting writes, waits for pending writes to become durable (or fail), and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _commitSignal.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        FailPending(new ObjectDisposedException(nameof(FasterRaftStorage), "storage closed before the write became durable"));
        _log.Dispose();
        _settings.LogDevice.Dispose();
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static (FasterLogSettings Settings, FasterLog Log) OpenLog(StorageOptions options)
    {
        SegmentSyncDevice? device = null;
        try
        {
            System.IO.Directory.CreateDirectory(options.LogDirectory);
            var logPath = Path.Combine(options.LogDirectory, "raft");
            var inner = options.DeviceFactory?.Invoke(logPath)
                ?? Devices.CreateLogDevice(logPath, preallocateFile: false, deleteOnClose: false, recoverDevice: true);
            device = new SegmentSyncDevice(inner, options.LogDirectory, options.SyncDirectory);
            var store = options.CommitStoreFactory?.Invoke(options.CommitDirectory)
                ?? new DirectoryCommitMetadataStore(options.CommitDirectory, options.SyncDirectory);
            var settings = new FasterLogSettings
            {
                LogDevice = device,
                PageSizeBits = options.PageSizeBits,
                MemorySizeBits = options.MemorySizeBits,
                SegmentSizeBits = options.SegmentSizeBits,
                LogCommitManager = new SparseLogCommitManager(store),
                FastCommitMode = true,
                LogChecksum = LogChecksumType.None,
                TryRecoverLatest = false, // RecoverToLastValidCommit does it; FASTER's own "latest" trusts torn commit records.
            };
            var log = new FasterLog(settings);
            try
            {
                RecoverToLastValidCommit(log, settings, options);
                EnsureRecoveredPastMetadata(log, (SparseLogCommitManager)settings.LogCommitManager, options);

                // Segment files that an earlier process created may not have durable directory entries yet (it may
                // have crashed before its own fsync); recovered data is built upon, so make them durable now.
                options.SyncDirectory(options.LogDirectory);
            }
            catch
            {
                log.Dispose();
                device.Dispose();
                device = null;
                throw;
            }

            return (settings, log);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            device?.Dispose();
            throw new StorageFailedException(
                $"cannot open the log in '{options.LogDirectory}': {ex.Message}. Check that the directory is writable by this user and the disk has space.", ex);
        }
    }

    /// <summary>
    /// Recovers FasterLog to the newest commit whose record (and every one before it) validates — see
    /// <see cref="CommitRecordScanner"/> for why FASTER's own "recover latest" cannot be trusted after power loss.
    /// An empty log (no metadata blob, no commit record) is left as created.
    /// </summary>
    private static void RecoverToLastValidCommit(FasterLog log, FasterLogSettings settings, StorageOptions options)
    {
        var scanner = new CommitRecordScanner(settings.LogDevice, options.PageSizeBits, options.SegmentSizeBits);
        if (scanner.FindLastValid(settings.LogCommitManager) is not { } commit)
        {
            return;
        }

        try
        {
            log.Recover(commit.CommitNum);
        }
        catch (FasterException ex)
        {
            throw new StorageCorruptionException(
                $"the log in '{options.LogDirectory}' could not be recovered to its last valid commit {commit.CommitNum} ({ex.Message}); " +
                "its commit records are damaged. Restore this node from a replica.", ex);
        }

        Invariant.Check(log.CommittedUntilAddress == commit.UntilAddress, "FASTER recovered exactly to the validated commit");
        Invariant.Check(log.BeginAddress == commit.BeginAddress, "FASTER recovered the validated commit's begin address");
    }

    /// <summary>
    /// Second check after <see cref="RecoverToLastValidCommit"/>: recovery can never legitimately end below the newest
    /// metadata blob (FASTER's own "recover latest" did, after a torn commit record), so that case is reported instead
    /// of silently losing acknowledged data.
    /// </summary>
    private static void EnsureRecoveredPastMetadata(FasterLog log, SparseLogCommitManager commits, StorageOptions options)
    {
        if (commits.NewestUntilAddress() is { } until && log.CommittedUntilAddress < until)
        {
            throw new StorageCorruptionException(
                $"the log in '{options.LogDirectory}' recovered only up to address {log.CommittedUntilAddress} although its commit metadata " +
                $"records {until}: FASTER's recovery was misled by a damaged (torn) commit record at the tail. Acknowledged data may still " +
                "be on disk; do not write to this directory. Restore this node from a replica.");
        }

        Invariant.Check(log.CommittedUntilAddress >= log.BeginAddress, "recovered committed address is at or after the begin address");
    }
}
