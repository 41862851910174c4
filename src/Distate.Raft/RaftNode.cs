using Distate.Raft.Log;
using Distate.Raft.Progress;
using Distate.Raft.ReadIndex;

namespace Distate.Raft;

/// <summary>
/// One Raft participant as a pure state machine: feed it <see cref="Step"/>, <see cref="Tick"/>, proposals and
/// read requests; take the work it produces with <see cref="GetReady"/>; acknowledge it with <see cref="Advance"/>.
/// It performs no I/O, reads no clock and draws randomness only from <see cref="RaftOptions.RandomSeed"/>.
/// Not thread-safe: one thread (the host's node loop) owns it.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly RaftLog _log;
    private readonly ProgressTracker _tracker;
    private readonly ReadIndexQueue _reads = new();
    private readonly RaftRandom _random;
    private readonly HashSet<ulong> _forwardedReads = [];
    private List<Message> _messages = [];
    private List<ReadState> _readStates = [];
    private List<DroppedRead> _droppedReads = [];
    private Term _term;
    private NodeId _vote;
    private NodeId _leader;
    private StateRole _role;
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private NodeId _leadTransferee;
    private LogIndex _pendingConfIndex;
    private LogIndex _termStartIndex;
    private long _uncommittedBytes;
    private bool _broadcastPending;
    private bool _campaignAfterApply;
    private HardState _previousHardState;
    private Term _reportedCommittedTerm;
    private SoftState _previousSoftState;
    private Ready? _outstanding;

    /// <summary>Creates a node from what the host persisted (a new node starts from empty storage).</summary>
    public RaftNode(RaftOptions options, IRaftLogStorage storage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        options.Validate();
        _options = options;
        _random = new RaftRandom(options.RandomSeed ^ (options.Id.Value * 0x9E3779B97F4A7C15UL));
        _log = new RaftLog(storage);
        _tracker = new ProgressTracker(options.MaxInflightMessages, options.MaxInflightBytes);
        var (hardState, confState) = storage.InitialState();
        _tracker.ApplyConfig(confState, _log.LastIndex.Next);
        BecomeFollower(hardState.Term, NodeId.None);
        _vote = hardState.Vote;
        // The host's state machine starts from its latest snapshot (entries may be kept behind it).
        var snapshotIndex = storage.LatestSnapshot().Metadata.Index;
        _log.Initialize(LogIndex.Max(hardState.Commit, snapshotIndex), LogIndex.Max(options.Applied, snapshotIndex));
        _previousHardState = new HardState(_term, _vote, _log.Committed);
        _previousSoftState = new SoftState(_leader, _role);
        // A restarted host has no pending proposals, so what was committed before the restart needs no cutoff.
        _reportedCommittedTerm = _log.TermOrZero(_log.Committed);
        Invariant.Check(_log.Committed <= _log.LastIndex, "persisted commit beyond the persisted log");
    }

    /// <summary>This node's id.</summary>
    public NodeId Id => _options.Id;

    /// <summary>The current term.</summary>
    public Term Term => _term;

    /// <summary>Who this node voted for in the current term.</summary>
    public NodeId Vote => _vote;

    /// <summary>The leader this node knows of, or None.</summary>
    public NodeId Leader => _leader;

    /// <summary>The current role.</summary>
    public StateRole Role => _role;

    /// <summary>The highest committed index this node knows.</summary>
    public LogIndex CommitIndex => _log.Committed;

    /// <summary>The highest index the host applied.</summary>
    public LogIndex AppliedIndex => _log.Applied;

    /// <summary>The last index in this node's log.</summary>
    public LogIndex LastIndex => _log.LastIndex;

    /// <summary>The current membership.</summary>
    public ConfState Config => _tracker.Config;

    /// <summary>The node's log view, for invariant checks in tests and simulation.</summary>
    internal RaftLog Log => _log;

    /// <summary>The leadership transfer target, or None.</summary>
    public NodeId LeadTransferee => _leadTransferee;

    /// <summary>True when this node may campaign: it is a voter in the current membership.</summary>
    public bool Promotable => _tracker.Config.IsVoter(Id);

    /// <summary>Advances logical time by one tick: drives election timeouts, heartbeats and CheckQuorum.</summary>
    public void Tick()
    {
        if (_role == StateRole.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Starts an election now (as if the election timeout elapsed).</summary>
    public void Campaign() => Step(new Message { Type = MessageType.Hup, From = Id, To = Id });

    /// <summary>A snapshot of this node's state for status pages and tests.</summary>
    public RaftStatus Status()
    {
        var peers = new Dictionary<NodeId, PeerProgress>();
        if (_role == StateRole.Leader)
        {
            foreach (var (id, progress) in _tracker.All)
            {
                peers[id] = new PeerProgress(progress.Match, progress.Next, progress.State, progress.RecentActive, progress.IsLearner);
            }
        }

        return new RaftStatus(
            Id, _term, _vote, _leader, _role, _log.Committed, _log.Applied, _log.LastIndex, _tracker.Config, peers, _leadTransferee);
    }

    private void TickElection()
    {
        _electionElapsed++;
        if (Promotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Campaign();
        }
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTimeoutTicks)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum && !CheckQuorumActive())
            {
                return;
            }

            if (_leadTransferee.IsSome)
            {
                AbortLeaderTransfer();
            }

            if (_role == StateRole.Leader && !Promotable)
            {
                // A removed leader whose hand-off did not finish in time (see StepDownAfterRemoval).
                BecomeFollower(_term, NodeId.None);
                return;
            }
        }

        if (_role == StateRole.Leader && _heartbeatElapsed >= _options.HeartbeatIntervalTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat(_reads.LastSentRoundId);
        }
    }

    /// <summary>CheckQuorum: steps down (returning false) if a majority was not heard from this election timeout.</summary>
    private bool CheckQuorumActive()
    {
        var active = _tracker.QuorumActive(Id);
        foreach (var (id, progress) in _tracker.All)
        {
            if (id != Id)
            {
                progress.RecentActive = false;
            }
        }

        if (!active)
        {
            BecomeFollower(_term, NodeId.None);
        }

        return active;
    }

    private void Send(Message message)
    {
        Invariant.Check(message.To != Id, "a node never sends a message to itself");
        Invariant.Check(message.From == Id, "messages are sent from this node");
        _messages.Add(message);
    }

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _options.ElectionTimeoutTicks + _random.Next(_options.ElectionTimeoutTicks);
}
