using Distate.Node.Requests;
using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Node.Driver;

/// <summary>
/// The node driver: owns one <see cref="RaftNode"/> and follows the contract of src/Distate.Raft/README.md step by step
/// (persist, send, hand committed entries to the apply task, advance). It is synchronous and single-threaded: the
/// production runtime (a loop over a channel, an apply task, a ticker) and the simulator (one thread, one seed) both
/// feed it inputs and walk each <see cref="ReadyWork"/> through its steps, so the simulator tests the ordering the
/// product runs. Every field is written only on the thread that calls the driver ("the driver thread").
/// </summary>
public sealed partial class NodeDriver
{
    private readonly RaftNode _raft;
    private readonly IDurableLog _log;
    private readonly IPeerOutbox _outbox;
    private readonly NodeDriverOptions _options;
    private readonly TimeProvider _time;
    private readonly INodeObserver _observer;

    /// <summary>Proposals of this member appended at a known index, waiting for that index to commit.</summary>
    private readonly Dictionary<LogIndex, PendingProposal> _proposals = [];

    /// <summary>Older proposals whose index this member reused after losing and regaining leadership (see
    /// <see cref="Remember"/>); rare, so a list.</summary>
    private readonly List<(LogIndex Index, PendingProposal Proposal)> _displaced = [];

    /// <summary>Reads waiting for Raft to confirm their read index, by request id.</summary>
    private readonly Dictionary<ulong, PendingRead> _reads = [];

    /// <summary>The membership in force in Raft (updated when a change is handed over, before Advance).</summary>
    private ConfState _confState;
    /// <summary>The next ReadIndex request id. Like forwarded request ids it starts at a random point (from the Raft seed,
    /// different per start): a leader's late answer to a read asked before a restart must not release a read of this
    /// incarnation with a stale read index (simulator seed 8011307, Chaos: ids restarting at 1 served a stale read).</summary>
    private ulong _nextReadId;
    private ReadyWork? _outstanding;
    private StagedSnapshot? _staged;
    private long _ticks;
    private long _lastHandOffTick = long.MinValue / 2;

    /// <summary>The last committed index handed to the apply task.</summary>
    private LogIndex _handedOffIndex;

    /// <summary>Creates the driver over a durable log (Raft restarts from it) and a peer outbox.</summary>
    public NodeDriver(RaftOptions raftOptions, IDurableLog log, IPeerOutbox outbox, NodeDriverOptions options, TimeProvider time, INodeObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(raftOptions);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _log = log;
        _outbox = outbox;
        _options = options;
        _time = time;
        _observer = observer ?? NullNodeObserver.Instance;
        _raft = new RaftNode(raftOptions, log);
        _confState = _raft.Config;
        Forwarded = new ForwardedRequests(_raft.Id);
        _nextForwardRequest = (Mix(raftOptions.RandomSeed ^ _raft.Id.Value) >> 1) | 1;
        _nextReadId = (Mix(raftOptions.RandomSeed ^ ~_raft.Id.Value) >> 1) | 1;
    }

    /// <summary>This member's id.</summary>
    public NodeId Id => _raft.Id;

    /// <summary>The membership in force in Raft.</summary>
    public ConfState Config => _confState;

    /// <summary>This member's role.</summary>
    public StateRole Role => _raft.Role;

    /// <summary>A snapshot of Raft's state, for status pages and tests.</summary>
    public RaftStatus Status() => _raft.Status();

    /// <summary>The Raft node, for the simulator's safety checks (never drive it directly).</summary>
    internal RaftNode Raft => _raft;

    /// <summary>One logical tick.</summary>
    public void Tick()
    {
        _ticks++;
        _raft.Tick();
        ExpireForwardBatches(all: false);
    }

    /// <summary>A message from a peer. While the log is read-only (a full disk) new entries and snapshots are refused:
    /// persisting them would use up the room that keeps this member alive; it falls behind and the leader retries.</summary>
    public void Deliver(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageType.Propose:
                HandleForwardedProposals(message);
                return;
            case MessageType.ProposeResponse:
                HandleForwardAnswer(message);
                return;
        }

        if (_log.ReadOnlyReason is not null
            && (message.Type == MessageType.Snapshot || (message.Type == MessageType.Append && message.Entries.Length > 0)))
        {
            return;
        }

        _raft.Step(message);
    }

    /// <summary>The transport could not reach a peer.</summary>
    public void ReportUnreachable(NodeId peer) => _raft.ReportUnreachable(peer);

    /// <summary>The transport finished (or failed) sending a snapshot to a peer.</summary>
    public void ReportSnapshot(NodeId peer, bool succeeded) => _raft.ReportSnapshot(peer, succeeded);

    /// <summary>Asks the leader (this member or, by message, the known leader) to hand leadership to <paramref name="target"/>.</summary>
    public void TransferLeadership(NodeId target) => _raft.TransferLeadership(target);

    /// <summary>Starts an election now (a lone voter at start need not wait out a timeout).</summary>
    public void Campaign() => _raft.Campaign();

    /// <summary>A linearizable read: <paramref name="waiter"/> succeeds once leadership is confirmed and the read index applied.</summary>
    public void ReadIndex(IRequestWaiter waiter)
    {
        ArgumentNullException.ThrowIfNull(waiter);
        var id = _nextReadId++;
        _reads[id] = new PendingRead(waiter, _time.GetTimestamp());
        _raft.ReadIndex(id);
    }

    /// <summary>The apply task wrote a snapshot's data; <see cref="SaveStagedSnapshotAsync"/> records it.</summary>
    public void SnapshotStaged(StagedSnapshot staged) => _staged = staged;

    /// <summary>Records the staged snapshot (if any) and compacts the log behind it, keeping some entries for lagging
    /// followers. Call between Readies.</summary>
    public async ValueTask SaveStagedSnapshotAsync(CancellationToken cancellationToken)
    {
        if (_staged is not { } staged)
        {
            return;
        }

        _staged = null;
        if (!await _log.CommitSnapshotAsync(staged, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var keep = (ulong)_options.EntriesKeptBehindSnapshot;
        if (staged.Index.Value > keep)
        {
            await _log.CompactAsync(staged.Index - keep, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fails every request this driver holds (the node is stopping or crashed); the waiters learn at once.</summary>
    public void FailAll(RequestFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        FailBatch(failure);
        foreach (var (_, pending) in _proposals)
        {
            pending.Waiter.Fail(failure);
        }

        foreach (var (_, pending) in _displaced)
        {
            pending.Waiter.Fail(failure);
        }

        _displaced.Clear();

        foreach (var (_, pending) in _reads)
        {
            pending.Waiter.Fail(failure);
        }

        _proposals.Clear();
        _reads.Clear();
        FailForwardedAll(failure);
    }

    /// <summary>SplitMix64's finaliser: spreads a seed over 64 bits.</summary>
    private static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>
    /// A leader whose disk is full cannot take writes; if another voter exists, hand leadership to the most caught-up one
    /// so the cluster keeps writing (tried again every <see cref="NodeDriverOptions.HandOffEveryTicks"/> while read-only).
    /// </summary>
    private void MaybeHandOffLeadership()
    {
        if (_log.ReadOnlyReason is null || _raft.Role != StateRole.Leader || _ticks - _lastHandOffTick < _options.HandOffEveryTicks)
        {
            return;
        }

        _lastHandOffTick = _ticks;
        var best = NodeId.None;
        var bestMatch = LogIndex.Zero;
        foreach (var (id, progress) in _raft.Status().Progress)
        {
            if (id != Id && !progress.IsLearner && progress.Match >= bestMatch)
            {
                (best, bestMatch) = (id, progress.Match);
            }
        }

        if (best.IsSome)
        {
            _observer.OnLeadershipHandOff(best);
            _raft.TransferLeadership(best);
        }
    }
}
