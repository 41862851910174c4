using Distate.Raft;

namespace Distate.Transport.Connections;

/// <summary>A message waiting in a peer's queue with its encoded size, measured once by <see cref="PeerTransport.TrySend"/>.</summary>
/// <param name="Message">The message.</param>
/// <param name="EncodedBytes">What <see cref="Codec.RaftMessageCodec.Measure"/> returned for it.</param>
internal readonly record struct OutgoingMessage(Message Message, int EncodedBytes);
