namespace Distate.Raft;

/// <summary>A message between Raft nodes. Fields unused by a type are left at their defaults.</summary>
public sealed class Message
{
    /// <summary>What kind of message this is.</summary>
    public MessageType Type { get; init; }

    /// <summary>The sender.</summary>
    public NodeId From { get; init; }

    /// <summary>The recipient.</summary>
    public NodeId To { get; init; }

    /// <summary>The sender's term (0 for local messages).</summary>
    public Term Term { get; init; }

    /// <summary>Append: term of the entry before Entries. Vote: term of the candidate's last entry. Reject: hint term.</summary>
    public Term LogTerm { get; init; }

    /// <summary>Append: index before Entries. Vote: candidate's last index. Responses: accepted or rejected index.</summary>
    public LogIndex Index { get; init; }

    /// <summary>Entries to append (Append only).</summary>
    public Entry[] Entries { get; init; } = [];

    /// <summary>The sender's commit index (Append, Heartbeat).</summary>
    public LogIndex Commit { get; init; }

    /// <summary>The snapshot to install (Snapshot only).</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>True when the request was refused.</summary>
    public bool Reject { get; init; }

    /// <summary>On a rejected Append: the follower's suggested index to probe next.</summary>
    public LogIndex RejectHint { get; init; }

    /// <summary>Request correlation: a ReadIndex request id or heartbeat round; for votes, 1 means "leadership transfer".</summary>
    public ulong Context { get; init; }

    /// <summary>Bytes of entry payload this message carries.</summary>
    public long PayloadBytes
    {
        get
        {
            long total = 0;
            foreach (var entry in Entries)
            {
                total += entry.SizeBytes;
            }

            return total;
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"{From}->{To} {Type} term={Term}";
        return Type switch
        {
            MessageType.Append => text + $" logterm={LogTerm} index={Index} commit={Commit} entries=[{string.Join(" ", Entries)}]",
            MessageType.AppendResponse => text + (Reject ? $" reject index={Index} hint={RejectHint}/{LogTerm}" : $" index={Index}"),
            MessageType.Vote or MessageType.PreVote => text + $" last={LogTerm}/{Index}" + (Context == VoteContextTransfer ? " transfer" : ""),
            MessageType.VoteResponse or MessageType.PreVoteResponse => text + (Reject ? " reject" : " grant"),
            MessageType.Heartbeat => text + $" commit={Commit} round={Context}",
            MessageType.HeartbeatResponse => text + $" round={Context}",
            MessageType.Snapshot => text + $" snapshot={Snapshot?.Metadata.Term}/{Snapshot?.Metadata.Index}",
            MessageType.ReadIndex => text + $" request={Context}",
            MessageType.ReadIndexResponse => text + (Reject ? $" reject request={Context}" : $" index={Index} request={Context}"),
            MessageType.Propose => text + $" batch={Context} entries={Entries.Length}",
            MessageType.ProposeResponse => text + (Reject ? $" reject batch={Context} reason={(DroppedReason)Index.Value}" : $" batch={Context} at={LogTerm}/{Index}"),
            _ => text,
        };
    }

    /// <summary>Context value on Vote/PreVote meaning the campaign was triggered by a leadership transfer.</summary>
    public const ulong VoteContextTransfer = 1;
}
