using System.Buffers.Binary;
using Distate.Raft;

namespace Distate.Transport.Protocol;

/// <summary>
/// The first frame on every connection: magic "DSTT", protocol version (u16), sender id (u64) and cluster id (u64),
/// big-endian, so a receiver can refuse foreign clusters and incompatible versions before reading any message.
/// </summary>
/// <param name="ProtocolVersion">The framing and handshake version the sender speaks.</param>
/// <param name="Sender">The node that opened the connection.</param>
/// <param name="ClusterId">The sender's cluster.</param>
internal readonly record struct Handshake(ushort ProtocolVersion, NodeId Sender, ulong ClusterId)
{
    /// <summary>
    /// The protocol version this build speaks. 1: every frame one encoded message. 2: every frame opens with a
    /// <see cref="FrameKind"/>, and Snapshot messages travel as chunk frames (docs/transport.md).
    /// </summary>
    public const ushort CurrentVersion = 2;

    /// <summary>Encoded size of the handshake payload.</summary>
    public const int PayloadBytes = 22;

    private static ReadOnlySpan<byte> Magic => "DSTT"u8;

    /// <summary>Writes the whole handshake frame (length prefix included) and returns its bytes.</summary>
    public byte[] ToFrame()
    {
        var frame = new byte[Frame.LengthPrefixBytes + PayloadBytes];
        Frame.WriteLength(PayloadBytes, frame);
        var payload = frame.AsSpan(Frame.LengthPrefixBytes);
        Magic.CopyTo(payload);
        BinaryPrimitives.WriteUInt16BigEndian(payload[4..], ProtocolVersion);
        BinaryPrimitives.WriteUInt64BigEndian(payload[6..], Sender.Value);
        BinaryPrimitives.WriteUInt64BigEndian(payload[14..], ClusterId);
        return frame;
    }

    /// <summary>Parses a handshake payload; throws <see cref="TransportProtocolException"/> when it is not one.</summary>
    public static Handshake Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != PayloadBytes || !payload[..4].SequenceEqual(Magic))
        {
            throw new TransportProtocolException(
                $"the first frame ({payload.Length} bytes) is not a Distate peer handshake: is something other than a Distate node connecting to the peer port?");
        }

        return new Handshake(
            BinaryPrimitives.ReadUInt16BigEndian(payload[4..]),
            new NodeId(BinaryPrimitives.ReadUInt64BigEndian(payload[6..])),
            BinaryPrimitives.ReadUInt64BigEndian(payload[14..]));
    }
}
