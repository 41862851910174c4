using System.Buffers;
using System.Net.Sockets;
using Distate.Raft;

namespace Distate.Transport.Protocol;

/// <summary>
/// Reads length-prefixed frames from a socket through one pooled buffer, so many small pipelined frames cost one
/// receive call. Invariant: 0 &lt;= _start &lt;= _end &lt;= _buffer.Length.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly int _maxFrameBytes;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
    private int _start;
    private int _end;

    /// <summary>Reads from a connected socket, refusing frames longer than <paramref name="maxFrameBytes"/>.</summary>
    public FrameReader(Socket socket, int maxFrameBytes)
    {
        _socket = socket;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>Returns the next payload (valid until the next call), or null when the peer closed cleanly between frames.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        ReleaseLargeBufferWhenEmpty();
        if (!await FillAsync(Frame.LengthPrefixBytes, cancellationToken).ConfigureAwait(false))
        {
            return _start == _end ? null : throw new TransportProtocolException("connection closed in the middle of a frame length prefix");
        }

        var length = Frame.ReadLength(_buffer.AsSpan(_start));
        if (length > (uint)_maxFrameBytes)
        {
            throw new TransportProtocolException(
                $"incoming frame of {length} bytes exceeds MaxFrameBytes = {_maxFrameBytes}; raise MaxFrameBytes on every node if append messages are this large (snapshots travel in chunks of SnapshotChunkBytes)");
        }

        var total = Frame.LengthPrefixBytes + (int)length;
        if (!await FillAsync(total, cancellationToken).ConfigureAwait(false))
        {
            throw new TransportProtocolException($"connection closed in the middle of a {length}-byte frame");
        }

        var payload = _buffer.AsMemory(_start + Frame.LengthPrefixBytes, (int)length);
        _start += total;
        Invariant.Check(_start <= _end, "a frame never extends past the received bytes");
        return payload;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Receives until at least <paramref name="needed"/> unread bytes are buffered; false when the peer closed first.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        while (_end - _start < needed)
        {
            MakeRoom(needed);
            var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                return false;
            }

            _end += received;
        }

        return true;
    }

    /// <summary>Moves unread bytes to the front, growing the buffer when a frame does not fit.</summary>
    private void MakeRoom(int needed)
    {
        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }

        var unread = _end - _start;
        var target = _buffer.Length >= needed ? _buffer : ArrayPool<byte>.Shared.Rent(Math.Max(needed, InitialBufferBytes));
        Buffer.BlockCopy(_buffer, _start, target, 0, unread);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _start = 0;
        _end = unread;
        Invariant.Check(_buffer.Length - _start >= needed, "the buffer holds the needed bytes after making room");
    }

    /// <summary>After a large frame (a snapshot), goes back to a small buffer so idle connections do not pin megabytes.</summary>
    private void ReleaseLargeBufferWhenEmpty()
    {
        if (_start != _end)
        {
            return;
        }

        _start = 0;
        _end = 0;
        if (_buffer.Length > 4 * InitialBufferBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        }
    }
}
