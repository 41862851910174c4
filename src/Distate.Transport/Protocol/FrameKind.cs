namespace Distate.Transport.Protocol;

/// <summary>
/// The first payload byte of every frame after the handshake (transport protocol version 2): it says how the rest of
/// the payload is encoded, so no two encodings are ever told apart by guessing.
/// </summary>
internal enum FrameKind : byte
{
    /// <summary>One whole Raft message, encoded by <see cref="Codec.RaftMessageCodec"/>; never a Snapshot message.</summary>
    Message = 1,

    /// <summary>One piece of a Snapshot message, encoded by <see cref="Codec.SnapshotChunkCodec"/>.</summary>
    SnapshotChunk = 2,
}
