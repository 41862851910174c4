using System.Runtime.InteropServices;
using FASTER.core;

namespace Distate.Storage.Tests.Simulation;

/// <summary>A FASTER device over a <see cref="SimDisk"/>; completions are reported on the thread pool, as real I/O is.</summary>
public sealed class SimDevice(string path, SimDisk disk) : StorageDeviceBase(path, SimDisk.SectorBytes, Devices.CAPACITY_UNSPECIFIED)
{
    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        var data = new byte[numBytesToWrite];
        Marshal.Copy(sourceAddress, data, 0, data.Length);
        var error = disk.Write(segmentId, (long)destinationAddress, data);
        ThreadPool.UnsafeQueueUserWorkItem(_ => callback(error, error == 0 ? numBytesToWrite : 0, context), null);
    }

    public override unsafe void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context)
    {
        disk.Read(segmentId, (long)sourceAddress, new Span<byte>((void*)destinationAddress, (int)readLength));
        ThreadPool.UnsafeQueueUserWorkItem(_ => callback(0, readLength, context), null);
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        disk.RemoveSegment(segment);
        callback(result);
    }

    public override long GetFileSize(int segment) => disk.SegmentLength(segment);

    public override bool TryComplete() => true;

    public override void Dispose()
    {
    }
}
