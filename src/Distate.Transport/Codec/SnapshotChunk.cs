using Distate.Raft;

namespace Distate.Transport.Codec;

/// <summary>One decoded, checksum-verified chunk frame.</summary>
/// <param name="Header">Which snapshot and which bytes of it.</param>
/// <param name="Envelope">On the first chunk, the Snapshot message with empty snapshot data (every field but the data); otherwise null.</param>
/// <param name="Data">The chunk's snapshot data, a slice of the received frame: valid only until the next frame is read.</param>
internal readonly record struct SnapshotChunk(SnapshotChunkHeader Header, Message? Envelope, ReadOnlyMemory<byte> Data);
