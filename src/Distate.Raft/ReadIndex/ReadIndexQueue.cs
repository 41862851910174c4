namespace Distate.Raft.ReadIndex;

/// <summary>
/// The leader's ReadIndex machinery (Raft thesis §6.4): reads are grouped into rounds; a round is broadcast as one
/// heartbeat carrying its id; once a majority of voters acknowledged that round (or a later one) in this term,
/// leadership at the time of the reads is confirmed and they are released at the round's index.
/// </summary>
/// <remarks>
/// Why a later round's ack confirms earlier rounds: heartbeats of round r are sent after every read of rounds ≤ r
/// arrived, so a majority acking r proves the node was still leader after those reads arrived.
/// Invariant: rounds are ordered by Id; only the last round may be unsent.
/// </remarks>
internal sealed class ReadIndexQueue
{
    private readonly List<ReadIndexRound> _rounds = [];
    private readonly List<ReadRequest> _held = [];
    private readonly Dictionary<NodeId, ulong> _acked = [];
    private ulong _nextRoundId = 1;

    /// <summary>The id of the latest broadcast round (0 if none this term); regular heartbeats carry it too.</summary>
    public ulong LastSentRoundId { get; private set; }

    /// <summary>Reads waiting anywhere in this queue.</summary>
    public int PendingCount
    {
        get
        {
            var count = _held.Count;
            foreach (var round in _rounds)
            {
                count += round.Requests.Count;
            }

            return count;
        }
    }

    /// <summary>True when an unsent round waits to be broadcast.</summary>
    public bool HasOpenRound => _rounds.Count > 0 && !_rounds[^1].Sent;

    /// <summary>Holds a read until the leader has committed an entry of its term.</summary>
    public void Hold(ReadRequest request) => _held.Add(request);

    /// <summary>Moves held reads into the open round at the given commit index.</summary>
    public void ReleaseHeld(LogIndex committed)
    {
        foreach (var request in _held)
        {
            Add(request, committed);
        }

        _held.Clear();
    }

    /// <summary>Adds a read to the open round (opening one if needed) at the current commit index.</summary>
    public void Add(ReadRequest request, LogIndex committed)
    {
        if (!HasOpenRound)
        {
            _rounds.Add(new ReadIndexRound(_nextRoundId++));
        }

        var round = _rounds[^1];
        Invariant.Check(committed >= round.Index, "commit index must not go backwards within a round");
        round.Index = committed;
        round.Requests.Add(request);
    }

    /// <summary>Marks the open round as broadcast and returns its id.</summary>
    public ulong SendOpenRound()
    {
        Invariant.Check(HasOpenRound, "no open round to send");
        var round = _rounds[^1];
        round.Sent = true;
        LastSentRoundId = round.Id;
        return round.Id;
    }

    /// <summary>Records that a voter acknowledged a heartbeat of the given round.</summary>
    public void Acknowledge(NodeId from, ulong roundId)
    {
        if (roundId == 0)
        {
            return;
        }

        if (!_acked.TryGetValue(from, out var previous) || previous < roundId)
        {
            _acked[from] = roundId;
        }
    }

    /// <summary>The highest round a voter acknowledged this term (ulong.MaxValue for the leader itself).</summary>
    public ulong AckedBy(NodeId voter, NodeId self) =>
        voter == self ? ulong.MaxValue : _acked.GetValueOrDefault(voter);

    /// <summary>Removes and returns the sent rounds with id ≤ <paramref name="confirmedRound"/>.</summary>
    public List<ReadIndexRound> TakeConfirmed(ulong confirmedRound)
    {
        var confirmed = new List<ReadIndexRound>();
        while (_rounds.Count > 0 && _rounds[0].Sent && _rounds[0].Id <= confirmedRound)
        {
            confirmed.Add(_rounds[0]);
            _rounds.RemoveAt(0);
        }

        return confirmed;
    }

    /// <summary>Removes and returns every waiting read (leadership lost), and forgets acks.</summary>
    public List<ReadRequest> DropAll()
    {
        var dropped = new List<ReadRequest>(_held);
        foreach (var round in _rounds)
        {
            dropped.AddRange(round.Requests);
        }

        _held.Clear();
        _rounds.Clear();
        _acked.Clear();
        LastSentRoundId = 0;
        return dropped;
    }
}
