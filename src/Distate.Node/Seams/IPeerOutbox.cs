using Distate.Raft;

namespace Distate.Node.Seams;

/// <summary>Where the driver sends Raft messages to peers. Never waits: a message that cannot be queued is dropped
/// (Raft retries) and the driver reports the peer unreachable.</summary>
public interface IPeerOutbox
{
    /// <summary>Queues a message; false when it was dropped (unknown peer, full queue, cut link).</summary>
    bool TrySend(Message message);
}
