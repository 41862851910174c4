using System.Buffers;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;

namespace Distate.Transport.Connections;

/// <summary>
/// Frames gathered for one socket write, in one pooled buffer: whole message frames, and at most one snapshot chunk
/// header last, whose data the writer sends straight from the snapshot after the batch. Invariant: Length &lt;= buffer length.
/// </summary>
internal sealed class FrameBatch : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>Whole messages in the batch (a chunk header is not one).</summary>
    public int Messages { get; private set; }

    /// <summary>True once a chunk header was added: nothing may follow it but the chunk's data.</summary>
    public bool EndsWithChunkHeader { get; private set; }

    /// <summary>The frames to write.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    /// <summary>Appends one message frame: length prefix, frame kind and encoded message.</summary>
    public void AddMessage(OutgoingMessage item)
    {
        Invariant.Check(!EndsWithChunkHeader, "nothing is added between a chunk header and its data");
        Invariant.Check(item.Message.Type != MessageType.Snapshot, "Snapshot messages travel as chunks");
        var payloadBytes = Frame.KindBytes + item.EncodedBytes;
        var needed = Length + Frame.LengthPrefixBytes + payloadBytes;
        EnsureCapacity(needed);
        Frame.WriteLength(payloadBytes, _buffer.AsSpan(Length));
        _buffer[Length + Frame.LengthPrefixBytes] = (byte)FrameKind.Message;
        var written = RaftMessageCodec.Write(item.Message, _buffer.AsSpan(Length + Frame.LengthPrefixBytes + Frame.KindBytes));
        Invariant.Check(written == item.EncodedBytes, "the codec writes exactly what it measured");
        Length = needed;
        Messages++;
    }

    /// <summary>Appends a chunk frame's length prefix and header; the frame's <paramref name="data"/> is checksummed here and written by the caller after the batch.</summary>
    public void AddChunkHeader(in SnapshotChunkHeader header, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> data)
    {
        Invariant.Check(!EndsWithChunkHeader, "a batch carries at most one chunk header");
        EnsureCapacity(Length + Frame.LengthPrefixBytes + SnapshotChunkCodec.MaxHeaderBytesWith(envelope.Length));
        var headerBytes = SnapshotChunkCodec.WriteHeader(header, envelope, data, _buffer.AsSpan(Length + Frame.LengthPrefixBytes));
        Frame.WriteLength(headerBytes + data.Length, _buffer.AsSpan(Length));
        Length += Frame.LengthPrefixBytes + headerBytes;
        EndsWithChunkHeader = true;
    }

    /// <summary>Empties the batch, giving back a buffer grown for large messages.</summary>
    public void Clear()
    {
        Length = 0;
        Messages = 0;
        EndsWithChunkHeader = false;
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
