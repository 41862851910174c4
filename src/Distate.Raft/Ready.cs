namespace Distate.Raft;

/// <summary>
/// A batch of work the core hands the host. The host must, in this order: persist <see cref="Snapshot"/>,
/// <see cref="Entries"/> and <see cref="HardState"/>; send <see cref="Messages"/>; apply
/// <see cref="CommittedEntries"/> (then snapshot data, if installing); serve <see cref="ReadStates"/>; fail
/// <see cref="DroppedReads"/> and the proposals <see cref="ProposalCutoff"/> rules out; and call
/// <c>RaftNode.Advance</c> with this object.
/// </summary>
public sealed class Ready
{
    /// <summary>Leader and role, when they changed since the previous batch; null otherwise.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Term, vote and commit to persist, when they changed; null otherwise.</summary>
    public HardState? HardState { get; init; }

    /// <summary>A snapshot received from the leader to persist and install; null otherwise.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>
    /// Entries to persist. The first entry's index may be at or below the persisted last index: the persisted
    /// entries from that index on are a conflicting suffix and must be replaced.
    /// </summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>Messages to send once the above is durable.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Committed entries to apply to the state machine, in order.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; init; } = [];

    /// <summary>Linearizable reads now safe to serve from the state as applied after <see cref="CommittedEntries"/>.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>Reads the core gave up on (leadership lost, refused by the leader); fail them now.</summary>
    public IReadOnlyList<DroppedRead> DroppedReads { get; init; } = [];

    /// <summary>
    /// Set when the committed log first reaches an entry of a newer term; null otherwise. The host fails every pending
    /// proposal it rules out: without this, a proposal whose index was truncated away on a deposed leader waits for
    /// that index to be committed again, which in a quiet cluster never happens.
    /// </summary>
    public ProposalCutoff? ProposalCutoff { get; init; }

    /// <summary>True when the host must fsync before sending (entries, a term or a vote changed).</summary>
    public bool MustSync { get; init; }

    /// <summary>True when the batch has nothing in it.</summary>
    public bool IsEmpty =>
        SoftState is null && HardState is null && Snapshot is null && Entries.Count == 0 && Messages.Count == 0 &&
        CommittedEntries.Count == 0 && ReadStates.Count == 0 && DroppedReads.Count == 0 &&
        ProposalCutoff is null;
}
