using System.Buffers;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;

namespace Distate.Transport.Connections;

/// <summary>Frames gathered for one socket write, in one pooled buffer. Invariant: Length &lt;= buffer length.</summary>
internal sealed class FrameBatch : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>Messages in the batch.</summary>
    public int Messages { get; private set; }

    /// <summary>Snapshot messages in the batch, reported once the batch is written or lost.</summary>
    public int Snapshots { get; private set; }

    /// <summary>The frames to write.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    /// <summary>Appends one frame: length prefix and encoded message.</summary>
    public void Add(OutgoingMessage item)
    {
        var needed = Length + Frame.LengthPrefixBytes + item.EncodedBytes;
        EnsureCapacity(needed);
        Frame.WriteLength(item.EncodedBytes, _buffer.AsSpan(Length));
        var written = RaftMessageCodec.Write(item.Message, _buffer.AsSpan(Length + Frame.LengthPrefixBytes));
        Invariant.Check(written == item.EncodedBytes, "the codec writes exactly what it measured");
        Length = needed;
        Messages++;
        Snapshots += item.Message.Type == MessageType.Snapshot ? 1 : 0;
    }

    /// <summary>Empties the batch, giving back a buffer grown for a snapshot.</summary>
    public void Clear()
    {
        Length = 0;
        Messages = 0;
        Snapshots = 0;
        if (_buffer.Length > 32 * InitialBufferBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        }
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        Buffer.BlockCopy(_buffer, 0, larger, 0, Length);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
