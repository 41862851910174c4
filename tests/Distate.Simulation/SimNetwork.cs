using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// The simulated network: messages in flight with seeded delays (hence reordering), loss, duplication, and cut
/// directed links (partitions and one-way cuts). Delivery order is fully determined by the seed.
/// </summary>
public sealed class SimNetwork
{
    private readonly SimRandom _random;
    private readonly SimScenario _scenario;
    private readonly PriorityQueue<Message, (long Step, long Sequence)> _inFlight = new();
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private long _sequence;

    /// <summary>Creates the network for a run.</summary>
    public SimNetwork(SimRandom random, SimScenario scenario)
    {
        _random = random;
        _scenario = scenario;
    }

    /// <summary>Messages currently in flight.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Human-readable description of the current cuts.</summary>
    public string Describe() => _cut.Count == 0 ? "healed" : string.Join(" ", _cut.OrderBy(c => c).Select(c => $"{c.From}-x->{c.To}"));

    /// <summary>True when messages from one node to another are currently dropped.</summary>
    public bool IsCut(NodeId from, NodeId to) => _cut.Contains((from.Value, to.Value));

    /// <summary>Called for every message the network drops, so the sender's transport can report it.</summary>
    public Action<Message, bool>? OnDropped { get; set; }

    /// <summary>Sends a message at step now, subject to loss and duplication; the delay is drawn at random.</summary>
    public void Send(Message message, long now, bool faultsOn)
    {
        if (faultsOn && _random.Chance(_scenario.LossRate))
        {
            OnDropped?.Invoke(message, false);
            return;
        }

        Enqueue(message, now);
        if (faultsOn && _random.Chance(_scenario.DuplicateRate))
        {
            Enqueue(message, now);
        }
    }

    /// <summary>Removes and returns the messages due at or before step now, in delivery order.</summary>
    public List<Message> Due(long now)
    {
        var due = new List<Message>();
        while (_inFlight.TryPeek(out var message, out var when) && when.Step <= now)
        {
            _inFlight.Dequeue();
            if (!IsCut(message.From, message.To))
            {
                due.Add(message);
            }
            else
            {
                OnDropped?.Invoke(message, true);
            }
        }

        return due;
    }

    /// <summary>Cuts every link between the two groups, both ways.</summary>
    public void Split(IReadOnlyList<NodeId> left, IReadOnlyList<NodeId> right)
    {
        foreach (var a in left)
        {
            foreach (var b in right)
            {
                _cut.Add((a.Value, b.Value));
                _cut.Add((b.Value, a.Value));
            }
        }
    }

    /// <summary>Cuts one direction of one link.</summary>
    public void CutOneWay(NodeId from, NodeId to) => _cut.Add((from.Value, to.Value));

    /// <summary>Restores every link.</summary>
    public void Heal() => _cut.Clear();

    private void Enqueue(Message message, long now)
    {
        var delay = _random.Next(1, Math.Max(2, _scenario.MaxDelaySteps + 1));
        _inFlight.Enqueue(message, (now + delay, _sequence++));
    }
}
