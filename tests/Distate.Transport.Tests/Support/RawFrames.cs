using System.Buffers.Binary;
using System.Net.Sockets;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;

namespace Distate.Transport.Tests.Support;

/// <summary>Plays or watches the wire by hand: raw connections, frames built with the production codecs, frame-by-frame reads.</summary>
internal static class RawFrames
{
    /// <summary>Connects a raw socket to a transport and sends the given handshake.</summary>
    public static async Task<Socket> ConnectAsync(PeerTransport target, Handshake handshake)
    {
        var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        await socket.ConnectAsync(target.ListenEndpoint!, timeout.Token);
        await socket.SendAsync(handshake.ToFrame(), SocketFlags.None, timeout.Token);
        return socket;
    }

    /// <summary>A whole message frame (length prefix, frame kind, encoded message).</summary>
    public static byte[] Message(Message message)
    {
        var size = RaftMessageCodec.Measure(message);
        var frame = new byte[Frame.LengthPrefixBytes + Frame.KindBytes + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(Frame.KindBytes + size));
        frame[Frame.LengthPrefixBytes] = (byte)FrameKind.Message;
        RaftMessageCodec.Write(message, frame.AsSpan(Frame.LengthPrefixBytes + Frame.KindBytes));
        return frame;
    }

    /// <summary>A whole chunk frame; <paramref name="envelopeOf"/> (the Snapshot message) is given for the first chunk only.</summary>
    public static byte[] Chunk(ulong id, long offset, long total, Message? envelopeOf, ReadOnlySpan<byte> data)
    {
        var envelope = envelopeOf is null ? [] : RaftMessageCodec.EncodeEnvelope(envelopeOf);
        var buffer = new byte[Frame.LengthPrefixBytes + SnapshotChunkCodec.MaxHeaderBytesWith(envelope.Length) + data.Length];
        var header = SnapshotChunkCodec.WriteHeader(new SnapshotChunkHeader(id, offset, total, data.Length), envelope, data, buffer.AsSpan(Frame.LengthPrefixBytes));
        data.CopyTo(buffer.AsSpan(Frame.LengthPrefixBytes + header));
        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)(header + data.Length));
        return buffer[..(Frame.LengthPrefixBytes + header + data.Length)];
    }

    /// <summary>The payload of a whole frame (its length prefix cut off).</summary>
    public static byte[] PayloadOf(byte[] frame) => frame[Frame.LengthPrefixBytes..];

    /// <summary>Reads one frame's payload, or null when the peer closed between frames (or anywhere, if <paramref name="allowTruncated"/>).</summary>
    public static async Task<byte[]?> ReadFrameAsync(Socket socket, CancellationToken cancellationToken, bool allowTruncated = false)
    {
        var prefix = new byte[Frame.LengthPrefixBytes];
        if (!await ReadExactlyAsync(socket, prefix, allowTruncated, cancellationToken))
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
        if (!await ReadExactlyAsync(socket, payload, allowTruncated, cancellationToken))
        {
            Assert.True(allowTruncated, "the peer closed in the middle of a frame");
            return null;
        }

        return payload;
    }

    /// <summary>Writes bytes, tolerating the receiver having already reset the connection (it may close before reading everything).</summary>
    public static async Task SendTolerantAsync(Socket socket, byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The receiver closed the connection first: what the test checks next.
        }
    }

    /// <summary>Asserts the peer closed (or reset) the connection before the deadline.</summary>
    public static async Task AssertClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        var buffer = new byte[16];
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset is as good as an orderly close: the receiver dropped the connection.
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, bool allowTruncated, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var received = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                Assert.True(filled == 0 || allowTruncated, "the peer closed in the middle of a frame");
                return false;
            }

            filled += received;
        }

        return true;
    }
}
