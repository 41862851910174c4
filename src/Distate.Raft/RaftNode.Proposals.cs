namespace Distate.Raft;

/// <summary>Proposals and membership changes (single-server changes, thesis §4.1).</summary>
public sealed partial class RaftNode
{
    /// <summary>Proposes one entry of application data.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data) => Propose([data]);

    /// <summary>
    /// Proposes a batch of entries, appended contiguously. On a non-leader, or while a transfer is under way,
    /// nothing is appended and the result says why and where the leader is. Accepted entries succeed iff the entry
    /// later applied at each index has the returned term.
    /// </summary>
    public ProposeResult Propose(IReadOnlyList<ReadOnlyMemory<byte>> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Invariant.Check(batch.Count > 0, "a proposal needs at least one entry");
        var refusal = ProposalRefusal();
        if (refusal != DroppedReason.None)
        {
            return ProposeResult.Dropped(refusal, _leader == Id ? NodeId.None : _leader);
        }

        long bytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            bytes += batch[i].Length + Entry.HeaderBytes;
        }

        if (_options.MaxUncommittedBytes > 0 && _uncommittedBytes > 0 && _uncommittedBytes + bytes > _options.MaxUncommittedBytes)
        {
            return ProposeResult.Dropped(DroppedReason.UncommittedLimit, Id);
        }

        var first = _log.LastIndex.Next;
        var entries = new Entry[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            entries[i] = new Entry(first + (ulong)i, _term, EntryType.Normal, batch[i]);
        }

        AppendAsLeader(entries, bytes);
        return new ProposeResult(DroppedReason.None, first, _term, Id);
    }

    /// <summary>
    /// Proposes a membership change. Refused while another change is pending (only one at a time), before this
    /// leader has committed an entry of its term (the single-server-change safety rule), or when invalid.
    /// </summary>
    public ProposeResult ProposeConfChange(ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var refusal = ProposalRefusal();
        if (refusal == DroppedReason.None && _pendingConfIndex > _log.Applied)
        {
            refusal = DroppedReason.ConfChangePending;
        }

        if (refusal == DroppedReason.None && !CommittedInTerm)
        {
            refusal = DroppedReason.LeaderNotReady;
        }

        if (refusal == DroppedReason.None && change.Validate(_tracker.Config) is not null)
        {
            refusal = DroppedReason.InvalidConfChange;
        }

        if (refusal != DroppedReason.None)
        {
            return ProposeResult.Dropped(refusal, _leader == Id ? NodeId.None : _leader);
        }

        var data = change.Encode();
        var entry = new Entry(_log.LastIndex.Next, _term, EntryType.ConfChange, data);
        AppendAsLeader([entry], entry.SizeBytes);
        _pendingConfIndex = entry.Index;
        return new ProposeResult(DroppedReason.None, entry.Index, _term, Id);
    }

    /// <summary>
    /// Applies a committed membership change; the host calls it when it applies a ConfChange entry, in log order,
    /// and stores the returned membership with its next snapshot. A leader removed (or demoted) by the change hands
    /// leadership to its most caught-up voter and steps down.
    /// </summary>
    public ConfState ApplyConfChange(ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var config = change.ApplyTo(_tracker.Config);
        _tracker.ApplyConfig(config, _log.LastIndex.Next);
        if (_role != StateRole.Leader)
        {
            return config;
        }

        if (!config.IsVoter(Id))
        {
            StepDownAfterRemoval(config);
            return config;
        }

        if (_leadTransferee.IsSome && !config.IsVoter(_leadTransferee))
        {
            AbortLeaderTransfer();
        }

        // The quorum changed: commit may advance, and new members need the log.
        if (MaybeCommit())
        {
            _broadcastPending = true;
        }

        _broadcastPending = true;
        Invariant.Check(_tracker.Get(Id) is not null, "a leader tracks its own progress");
        return config;
    }

    private DroppedReason ProposalRefusal()
    {
        if (_role != StateRole.Leader)
        {
            return _leader.IsSome ? DroppedReason.NotLeader : DroppedReason.NoLeader;
        }

        if (!_tracker.Config.Contains(Id))
        {
            return DroppedReason.Removed;
        }

        return _leadTransferee.IsSome ? DroppedReason.TransferInProgress : DroppedReason.None;
    }

    private void AppendAsLeader(Entry[] entries, long bytes)
    {
        Invariant.Check(_role == StateRole.Leader, "only a leader appends proposals");
        Invariant.Check(entries[0].Index == _log.LastIndex.Next, "proposals extend the log");
        _log.Append(entries);
        _uncommittedBytes += bytes;
        _broadcastPending = true;
    }

    /// <summary>
    /// A leader that applied its own removal hands leadership to the voter with the longest match: at once if that
    /// voter holds the whole log, otherwise after catching it up (as a transfer, bounded by an election timeout,
    /// proposals refused meanwhile). Stepping down without a hand-off would leave the cluster leaderless for an
    /// election timeout at least, longer when two voters then campaign together (simulator seed 5000321, Chaos).
    /// </summary>
    private void StepDownAfterRemoval(ConfState config)
    {
        NodeId best = NodeId.None;
        var bestMatch = LogIndex.Zero;
        foreach (var voter in config.Voters)
        {
            var progress = _tracker.Get(voter);
            if (progress is not null && progress.Match >= bestMatch)
            {
                best = voter;
                bestMatch = progress.Match;
            }
        }

        if (!best.IsSome)
        {
            BecomeFollower(_term, NodeId.None);
            return;
        }

        if (bestMatch == _log.LastIndex)
        {
            SendTimeoutNow(best);
            BecomeFollower(_term, NodeId.None);
            return;
        }

        // Catch it up first; HandleAppendResponse sends TimeoutNow once it matches, TickHeartbeat gives up after an
        // election timeout (and then steps down, as a removed node cannot lead).
        _electionElapsed = 0;
        _leadTransferee = best;
        SendAppend(best);
    }
}
