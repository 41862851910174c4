using Distate.Raft;
using FASTER.core;

namespace Distate.Storage.Io;

/// <summary>
/// Wraps the log device so that a segment file's directory entry is durable before any write to it is reported
/// complete. FASTER creates segment files lazily on their first write, through an <c>O_SYNC</c> descriptor: that
/// makes the file's data and inode durable, but POSIX does not promise the new name in the directory is (ext4 in
/// data=ordered mode happens to commit it in the same journal transaction; XFS, btrfs and others need an fsync of
/// the directory). So the first completed write to each segment this process touches fsyncs the log directory
/// before FASTER sees the completion, hence before any commit covering it is acknowledged.
/// </summary>
/// <remarks>
/// Segments that existed before this process started are covered by the directory fsync at open
/// (<see cref="FasterRaftStorage"/> calls it after recovery). Invariant: a segment id is in _synced only after
/// the directory fsync that followed a completed write to it returned.
/// </remarks>
internal sealed class SegmentSyncDevice : StorageDeviceBase
{
    private readonly IDevice _inner;
    private readonly string _directory;
    private readonly Action<string> _syncDirectory;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _synced = [];
    private volatile int _lastSynced = -1;

    /// <summary>Wraps <paramref name="inner"/>, whose segment files live in <paramref name="directory"/>.</summary>
    public SegmentSyncDevice(IDevice inner, string directory, Action<string> syncDirectory)
        : base(inner.FileName, inner.SectorSize, inner.Capacity)
    {
        _inner = inner;
        _directory = directory;
        _syncDirectory = syncDirectory;
    }

    /// <inheritdoc />
    public override void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
    {
        base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        _inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
    }

    /// <inheritdoc />
    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        if (segmentId == _lastSynced || IsSynced(segmentId))
        {
            _inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
            return;
        }

        var pending = new PendingFirstWrite(this, segmentId, callback, context);
        _inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, static (error, bytes, state) => ((PendingFirstWrite)state).Complete(error, bytes), pending);
    }

    /// <inheritdoc />
    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        _inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    /// <inheritdoc />
    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) =>
        _inner.RemoveSegmentAsync(segment, callback, result);

    /// <summary>
    /// Synchronously deletes every segment from <paramref name="fromSegment"/> up to (not including)
    /// <paramref name="belowSegment"/>. FASTER deletes them too, but from a fire-and-forget task after the commit
    /// that persisted the new begin address; this makes the deletion finish before compaction reports success.
    /// Removing a segment that is already gone is a no-op, so racing FASTER's own removal is harmless.
    /// </summary>
    public void RemoveSegments(int fromSegment, int belowSegment)
    {
        Invariant.Check(fromSegment >= 0, "segment ids are not negative");
        for (var segment = fromSegment; segment < belowSegment; segment++)
        {
            _inner.RemoveSegment(segment);
        }
    }

    /// <inheritdoc />
    public override long GetFileSize(int segment) => _inner.GetFileSize(segment);

    /// <inheritdoc />
    public override bool TryComplete() => _inner.TryComplete();

    /// <inheritdoc />
    public override void Dispose() => _inner.Dispose();

    private bool IsSynced(int segmentId)
    {
        lock (_gate)
        {
            return _synced.Contains(segmentId);
        }
    }

    /// <summary>Runs after a completed first write to a segment: fsyncs the directory once, then reports completion.</summary>
    private uint SyncAfterFirstWrite(int segmentId)
    {
        lock (_gate)
        {
            if (_synced.Contains(segmentId))
            {
                return 0;
            }

            try
            {
                _syncDirectory(_directory);
            }
            catch (IOException)
            {
                return 5; // EIO: FASTER fails the commit and the storage enters its failed state.
            }

            _ = _synced.Add(segmentId);
            Invariant.Check(_synced.Contains(segmentId), "a synced segment is recorded");
            _lastSynced = segmentId;
            return 0;
        }
    }

    private sealed class PendingFirstWrite(SegmentSyncDevice device, int segmentId, DeviceIOCompletionCallback callback, object context)
    {
        public void Complete(uint error, uint bytes)
        {
            if (error == 0)
            {
                error = device.SyncAfterFirstWrite(segmentId);
            }

            callback(error, bytes, context);
        }
    }
}
