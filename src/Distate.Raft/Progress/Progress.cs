namespace Distate.Raft.Progress;

/// <summary>The leader's view of one member's log.</summary>
/// <remarks>Invariant: Match &lt; Next. In the Snapshot state, PendingSnapshot &gt; 0.</remarks>
internal sealed class Progress
{
    /// <summary>Creates progress for a member whose log is unknown.</summary>
    public Progress(LogIndex next, int maxInflight, long maxInflightBytes, bool isLearner)
    {
        Next = next;
        Inflights = new Inflights(maxInflight, maxInflightBytes);
        IsLearner = isLearner;
    }

    /// <summary>The highest index known to be persisted on the member.</summary>
    public LogIndex Match { get; private set; }

    /// <summary>The next index to send.</summary>
    public LogIndex Next { get; private set; }

    /// <summary>The replication mode.</summary>
    public ProgressState State { get; private set; }

    /// <summary>The index of the snapshot being sent, in the Snapshot state.</summary>
    public LogIndex PendingSnapshot { get; private set; }

    /// <summary>Heard from within the current election timeout (CheckQuorum and snapshot sending use it).</summary>
    public bool RecentActive { get; set; }

    /// <summary>In Probe: an append was sent and no answer came yet.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>In Replicate: the window of unacknowledged appends.</summary>
    public Inflights Inflights { get; }

    /// <summary>True for a learner (does not vote).</summary>
    public bool IsLearner { get; set; }

    /// <summary>True when no append should be sent now.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    /// <summary>Enters Probe: resend from just after what is known to match.</summary>
    public void BecomeProbe()
    {
        var snapshot = PendingSnapshot;
        var wasSnapshot = State == ProgressState.Snapshot;
        Reset(ProgressState.Probe);
        Next = wasSnapshot ? LogIndex.Max(Match.Next, snapshot.Next) : Match.Next;
        Invariant.Check(Match < Next, "match must stay below next");
    }

    /// <summary>Enters Replicate: pipeline from just after the match.</summary>
    public void BecomeReplicate()
    {
        Reset(ProgressState.Replicate);
        Next = Match.Next;
    }

    /// <summary>Enters Snapshot: wait for the snapshot at index to be installed.</summary>
    public void BecomeSnapshot(LogIndex index)
    {
        Invariant.Check(index > LogIndex.Zero, "snapshot state needs a snapshot index");
        Reset(ProgressState.Snapshot);
        PendingSnapshot = index;
    }

    /// <summary>Accepts an acknowledgement up to index; true when it moved Match.</summary>
    public bool MaybeUpdate(LogIndex index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = LogIndex.Max(Next, index.Next);
        return updated;
    }

    /// <summary>Records that appends up to lastIndex were sent (optimistically advancing Next when pipelining).</summary>
    public void SentEntries(LogIndex lastIndex, int count, long bytes)
    {
        if (State == ProgressState.Replicate)
        {
            if (count > 0)
            {
                Next = lastIndex.Next;
                Inflights.Add(lastIndex, bytes);
            }
        }
        else if (State == ProgressState.Probe)
        {
            ProbeSent = true;
        }
    }

    /// <summary>
    /// Handles a rejected append of index <paramref name="rejected"/> with the follower's hint; false if the
    /// rejection is stale (answers an append we already moved past).
    /// </summary>
    public bool MaybeDecreaseTo(LogIndex rejected, LogIndex matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match.Next;
            return true;
        }

        if (Next.Previous != rejected)
        {
            return false;
        }

        Next = LogIndex.Max(LogIndex.Min(rejected, matchHint.Next), Match.Next);
        ProbeSent = false;
        Invariant.Check(Next >= new LogIndex(1), "next must be at least 1");
        return true;
    }

    /// <summary>Forgets what is known of the member's log (new leader term).</summary>
    public void ResetFor(LogIndex next, LogIndex match)
    {
        Reset(ProgressState.Probe);
        Match = match;
        Next = LogIndex.Max(next, match.Next);
        RecentActive = false;
    }

    private void Reset(ProgressState state)
    {
        ProbeSent = false;
        PendingSnapshot = LogIndex.Zero;
        State = state;
        Inflights.Reset();
    }

    /// <inheritdoc />
    public override string ToString() => $"{State} match={Match} next={Next}" + (IsLearner ? " learner" : "");
}
