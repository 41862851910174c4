using Distate.Raft.Quorum;

namespace Distate.Raft.Progress;

/// <summary>The leader's (and candidate's) bookkeeping for every member: replication progress and votes.</summary>
/// <remarks>Invariant: there is one Progress per member of <see cref="Config"/>, and no other.</remarks>
internal sealed class ProgressTracker
{
    private readonly Dictionary<NodeId, Progress> _progress = [];
    private readonly Dictionary<NodeId, bool> _votes = [];
    private readonly int _maxInflight;
    private readonly long _maxInflightBytes;
    private ulong[] _scratch = new ulong[8];

    /// <summary>Creates an empty tracker with the per-follower flow-control limits.</summary>
    public ProgressTracker(int maxInflight, long maxInflightBytes)
    {
        _maxInflight = maxInflight;
        _maxInflightBytes = maxInflightBytes;
    }

    /// <summary>The current membership.</summary>
    public ConfState Config { get; private set; } = ConfState.Empty;

    /// <summary>Every member's progress.</summary>
    public IReadOnlyDictionary<NodeId, Progress> All => _progress;

    /// <summary>The progress of a member, or null if it is not one.</summary>
    public Progress? Get(NodeId id) => _progress.GetValueOrDefault(id);

    /// <summary>Replaces the membership, keeping progress for members that remain.</summary>
    public void ApplyConfig(ConfState config, LogIndex nextForNewMembers)
    {
        foreach (var id in _progress.Keys.ToArray())
        {
            if (!config.Contains(id))
            {
                _progress.Remove(id);
            }
        }

        AddMembers(config.Voters, false, nextForNewMembers);
        AddMembers(config.Learners, true, nextForNewMembers);
        Config = config;
        if (_scratch.Length < config.Voters.Length)
        {
            _scratch = new ulong[config.Voters.Length * 2];
        }

        Invariant.Check(_progress.Count == config.Voters.Length + config.Learners.Length, "one progress per member");
    }

    /// <summary>The highest index persisted by a majority of voters.</summary>
    public LogIndex CommittedIndex()
    {
        var voters = Config.Voters;
        for (var i = 0; i < voters.Length; i++)
        {
            _scratch[i] = _progress[voters[i]].Match.Value;
        }

        return new LogIndex(MajorityQuorum.QuorumValue(_scratch.AsSpan(0, voters.Length)));
    }

    /// <summary>The largest per-voter value a majority has reached, for any per-voter quantity.</summary>
    public ulong QuorumOf(Func<NodeId, ulong> valueOf)
    {
        var voters = Config.Voters;
        for (var i = 0; i < voters.Length; i++)
        {
            _scratch[i] = valueOf(voters[i]);
        }

        return MajorityQuorum.QuorumValue(_scratch.AsSpan(0, voters.Length));
    }

    /// <summary>True when a majority of voters (counting <paramref name="self"/>) were recently active.</summary>
    public bool QuorumActive(NodeId self)
    {
        var active = 0;
        foreach (var voter in Config.Voters)
        {
            if (voter == self || _progress[voter].RecentActive)
            {
                active++;
            }
        }

        return active >= MajorityQuorum.Size(Config.Voters.Length);
    }

    /// <summary>Records a vote (the first one from each voter counts) and returns the tally.</summary>
    public VoteResult RecordVote(NodeId from, bool granted)
    {
        _votes.TryAdd(from, granted);
        return MajorityQuorum.Tally(Config.Voters, _votes);
    }

    /// <summary>Forgets all votes (new election).</summary>
    public void ResetVotes() => _votes.Clear();

    /// <summary>Granted and rejected vote counts, for status.</summary>
    public (int Granted, int Rejected) VoteCounts()
    {
        int granted = 0, rejected = 0;
        foreach (var vote in _votes.Values)
        {
            if (vote)
            {
                granted++;
            }
            else
            {
                rejected++;
            }
        }

        return (granted, rejected);
    }

    private void AddMembers(NodeId[] ids, bool learners, LogIndex next)
    {
        foreach (var id in ids)
        {
            if (_progress.TryGetValue(id, out var existing))
            {
                existing.IsLearner = learners;
                continue;
            }

            _progress[id] = new Progress(next, _maxInflight, _maxInflightBytes, learners) { RecentActive = true };
        }
    }
}
