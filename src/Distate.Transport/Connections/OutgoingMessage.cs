using Distate.Raft;

namespace Distate.Transport.Connections;

/// <summary>A message waiting in a peer's queue with its encoded size, measured once by <see cref="PeerTransport.TrySend"/>.</summary>
/// <param name="Message">The message.</param>
/// <param name="EncodedBytes">
/// What <see cref="Codec.RaftMessageCodec.Measure"/> returned for it; for a Snapshot message, the size of its envelope
/// (the message without its snapshot data, which travels in chunks).
/// </param>
internal readonly record struct OutgoingMessage(Message Message, int EncodedBytes);
