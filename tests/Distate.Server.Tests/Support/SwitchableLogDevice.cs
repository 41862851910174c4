using FASTER.core;

namespace Distate.Server.Tests.Support;

/// <summary>
/// A FASTER log device over the real local file device whose writes can be made to fail with an errno (28 = ENOSPC,
/// 5 = EIO) for a number of writes, as a full or dying disk would, reported through FASTER's completion callback.
/// </summary>
public sealed class SwitchableLogDevice : StorageDeviceBase
{
    private readonly IDevice _inner;
    private readonly FaultSwitch _faults;

    /// <summary>Wraps the default local device for <paramref name="path"/>; <paramref name="faults"/> decides which writes fail.</summary>
    public SwitchableLogDevice(string path, FaultSwitch faults) : base(path, 512, Devices.CAPACITY_UNSPECIFIED)
    {
        _inner = Devices.CreateLogDevice(path, preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        _faults = faults;
    }

    public override void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
    {
        base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        _inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
    }

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        if (_faults.TakeFailure() is { } errno)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => callback(errno, 0, context), null);
            return;
        }

        _inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
    }

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        _inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) => _inner.RemoveSegmentAsync(segment, callback, result);

    public override long GetFileSize(int segment) => _inner.GetFileSize(segment);

    public override bool TryComplete() => _inner.TryComplete();

    public override void Dispose() => _inner.Dispose();
}

/// <summary>Shared by every device a member opens (it reopens its log after a full disk): which writes fail, and how.</summary>
public sealed class FaultSwitch
{
    private uint _errno;
    private int _remaining;

    /// <summary>The next <paramref name="writes"/> device writes fail with <paramref name="errno"/> (int.MaxValue: all of them).</summary>
    public void FailNext(uint errno, int writes)
    {
        Volatile.Write(ref _errno, errno);
        Volatile.Write(ref _remaining, writes);
    }

    /// <summary>The errno for this write, or null when it should succeed.</summary>
    public uint? TakeFailure()
    {
        while (true)
        {
            var remaining = Volatile.Read(ref _remaining);
            if (remaining <= 0)
            {
                return null;
            }

            if (remaining == int.MaxValue || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                return Volatile.Read(ref _errno);
            }
        }
    }
}
