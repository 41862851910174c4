using System.Buffers.Binary;

namespace Distate.Transport.Protocol;

/// <summary>
/// The wire unit: a 4-byte big-endian payload length, then the payload: the handshake, or a <see cref="FrameKind"/>
/// byte followed by an encoded message or a snapshot chunk.
/// </summary>
internal static class Frame
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int LengthPrefixBytes = 4;

    /// <summary>Bytes of the frame kind that opens every payload after the handshake.</summary>
    public const int KindBytes = 1;

    /// <summary>Writes the length prefix of a payload.</summary>
    public static void WriteLength(int payloadBytes, Span<byte> destination)
    {
        Distate.Raft.Invariant.Check(payloadBytes >= 0, "frame length is never negative");
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)payloadBytes);
    }

    /// <summary>Reads a length prefix.</summary>
    public static uint ReadLength(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32BigEndian(source);
}
