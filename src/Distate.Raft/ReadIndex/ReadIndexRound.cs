namespace Distate.Raft.ReadIndex;

/// <summary>
/// Reads that share one heartbeat round. Index is the leader's commit index when the last of them arrived, so
/// every read in the round sees every write committed before it arrived.
/// </summary>
internal sealed class ReadIndexRound
{
    /// <summary>Creates an open round.</summary>
    public ReadIndexRound(ulong id) => Id = id;

    /// <summary>Round id, carried in heartbeat Context; increases for the life of the node.</summary>
    public ulong Id { get; }

    /// <summary>The read index the round's requests will be served at.</summary>
    public LogIndex Index { get; set; }

    /// <summary>The reads in this round.</summary>
    public List<ReadRequest> Requests { get; } = [];

    /// <summary>True once its heartbeat was broadcast; acks only count for sent rounds.</summary>
    public bool Sent { get; set; }
}
