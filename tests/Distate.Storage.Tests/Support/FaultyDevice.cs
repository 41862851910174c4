using FASTER.core;

namespace Distate.Storage.Tests.Support;

/// <summary>
/// A FASTER device wrapping the real local file device that can be switched to fail every write (as a full disk,
/// a permission error or a dying disk would), reporting an errno to FASTER's completion callback.
/// </summary>
public sealed class FaultyDevice : StorageDeviceBase
{
    private readonly IDevice _inner;
    private volatile uint _writeError;

    /// <summary>Wraps the default local device for <paramref name="path"/>.</summary>
    public FaultyDevice(string path) : base(path, 512, Devices.CAPACITY_UNSPECIFIED)
    {
        _inner = Devices.CreateLogDevice(path, preallocateFile: false, deleteOnClose: false, recoverDevice: true);
    }

    /// <summary>Writes issued so far.</summary>
    public int Writes;

    /// <summary>From now on every write fails with <paramref name="errno"/> (28 = ENOSPC, 13 = EACCES, 5 = EIO).</summary>
    public void FailWrites(uint errno) => _writeError = errno;

    public override void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
    {
        base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        _inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
    }

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        Interlocked.Increment(ref Writes);
        var error = _writeError;
        if (error != 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => callback(error, 0, context), null);
            return;
        }

        _inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
    }

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        _inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) =>
        _inner.RemoveSegmentAsync(segment, callback, result);

    public override long GetFileSize(int segment) => _inner.GetFileSize(segment);

    public override bool TryComplete() => _inner.TryComplete();

    public override void Dispose() => _inner.Dispose();
}
