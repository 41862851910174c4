using Distate.Node.Envelope;
using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// Checks the five safety properties of Raft (Figure 3 of the paper) on every Ready and every apply:
/// Election Safety, Leader Append-Only, Log Matching, Leader Completeness and State Machine Safety.
/// </summary>
/// <remarks>
/// Log Matching is checked incrementally: every entry enters a log through a Ready, so recording, for each
/// (index, term), the entry's content and the term of the entry before it, and demanding that every node agrees,
/// proves by induction that two logs with the same (index, term) are identical up to that index.
/// </remarks>
public sealed class RaftSafetyChecker
{
    private readonly Dictionary<Term, NodeId> _leaders = [];
    private readonly Dictionary<(ulong Index, ulong Term), (ulong Hash, ulong PreviousTerm)> _entries = [];
    private readonly Dictionary<ulong, ulong> _committedTerms = [];
    private readonly Dictionary<ulong, (ulong Term, ulong Hash)> _applied = [];
    private readonly Dictionary<NodeId, (Term Term, LogIndex Last)> _leaderLastIndex = [];
    private readonly Dictionary<NodeId, LogIndex> _commitSeen = [];
    private readonly Dictionary<ulong, ulong> _writeIndex = [];

    /// <summary>For every applied client write: its operation id → log index.</summary>
    public IReadOnlyDictionary<ulong, ulong> WriteIndex => _writeIndex;

    /// <summary>Committed (index → term) as observed anywhere, for the final durability check.</summary>
    public IReadOnlyDictionary<ulong, (ulong Term, ulong Hash)> Applied => _applied;

    /// <summary>Checks a Ready as the node hands it out (before the host persists it).</summary>
    public void OnReady(SimNode node, Ready ready)
    {
        var raft = node.Raft!;
        CheckElectionSafety(raft);
        if (ready.SoftState is { Role: StateRole.Leader })
        {
            CheckLeaderCompleteness(raft);
        }

        CheckLeaderAppendOnly(raft, ready);
        CheckLogMatching(raft, ready);
    }

    /// <summary>Records commit progress after the node handled a Ready.</summary>
    public void AfterReady(SimNode node)
    {
        var raft = node.Raft;
        if (raft is null)
        {
            return;
        }

        var from = _commitSeen.GetValueOrDefault(node.Id);
        var firstKnown = raft.Log.FirstIndex.Previous;
        for (var index = LogIndex.Max(from, firstKnown).Next; index <= raft.CommitIndex; index = index.Next)
        {
            if (!raft.Log.TryTerm(index, out var term))
            {
                continue;
            }

            if (_committedTerms.TryGetValue(index.Value, out var known) && known != term.Value)
            {
                throw new SafetyViolationException($"two nodes committed different terms at index {index}: {known} and {term} (node {node.Id})");
            }

            _committedTerms[index.Value] = term.Value;
        }

        _commitSeen[node.Id] = raft.CommitIndex;
    }

    /// <summary>State Machine Safety: no two nodes apply different entries at one index.</summary>
    public void OnApply(SimNode node, Entry entry)
    {
        var hash = Hash(entry);
        if (_applied.TryGetValue(entry.Index.Value, out var known))
        {
            if (known.Term != entry.Term.Value || known.Hash != hash)
            {
                throw new SafetyViolationException(
                    $"State Machine Safety: node {node.Id} applied {entry} at {entry.Index} but another node applied term {known.Term}");
            }

            return;
        }

        _applied[entry.Index.Value] = (entry.Term.Value, hash);
        if (entry.Type == EntryType.Normal && entry.Data.Length > 0
            && KvStateMachine.TryDecodeWrite(EntryEnvelope.Decode(entry.Data).Payload, out _, out var opId))
        {
            if (_writeIndex.TryGetValue(opId, out var existing) && existing != entry.Index.Value)
            {
                throw new SafetyViolationException($"write #{opId} applied at two indexes: {existing} and {entry.Index}");
            }

            _writeIndex[opId] = entry.Index.Value;
        }
    }

    /// <summary>Forgets per-node progress when a node restarts or is wiped.</summary>
    public void OnRestart(NodeId node)
    {
        _commitSeen.Remove(node);
        _leaderLastIndex.Remove(node);
    }

    private void CheckElectionSafety(RaftNode raft)
    {
        if (raft.Role != StateRole.Leader)
        {
            return;
        }

        if (_leaders.TryGetValue(raft.Term, out var leader) && leader != raft.Id)
        {
            throw new SafetyViolationException($"Election Safety: nodes {leader} and {raft.Id} both lead term {raft.Term}");
        }

        _leaders[raft.Term] = raft.Id;
    }

    private void CheckLeaderCompleteness(RaftNode raft)
    {
        var first = raft.Log.FirstIndex;
        foreach (var (index, term) in _committedTerms)
        {
            if (index < first.Value)
            {
                continue;
            }

            if (!raft.Log.TryTerm(new LogIndex(index), out var found) || found.Value != term)
            {
                throw new SafetyViolationException(
                    $"Leader Completeness: new leader {raft.Id} (term {raft.Term}) lacks committed entry {term}/{index}");
            }
        }
    }

    private void CheckLeaderAppendOnly(RaftNode raft, Ready ready)
    {
        if (raft.Role != StateRole.Leader || ready.Entries.Count == 0)
        {
            return;
        }

        if (_leaderLastIndex.TryGetValue(raft.Id, out var seen) && seen.Term == raft.Term && ready.Entries[0].Index <= seen.Last)
        {
            throw new SafetyViolationException(
                $"Leader Append-Only: leader {raft.Id} rewrote its log from {ready.Entries[0].Index} (had up to {seen.Last}) in term {raft.Term}");
        }

        _leaderLastIndex[raft.Id] = (raft.Term, ready.Entries[^1].Index);
    }

    private void CheckLogMatching(RaftNode raft, Ready ready)
    {
        foreach (var entry in ready.Entries)
        {
            // Unknown (compacted) previous terms are recorded as MaxValue and not compared.
            var previousTerm = raft.Log.TryTerm(entry.Index.Previous, out var term) ? term.Value : ulong.MaxValue;
            var key = (entry.Index.Value, entry.Term.Value);
            var value = (Hash(entry), previousTerm);
            if (_entries.TryGetValue(key, out var known))
            {
                var previousDiffers = known.PreviousTerm != ulong.MaxValue && previousTerm != ulong.MaxValue && known.PreviousTerm != previousTerm;
                if (known.Hash != value.Item1 || previousDiffers)
                {
                    throw new SafetyViolationException(
                        $"Log Matching: node {raft.Id} holds {entry} with previous term {previousTerm}, another node holds it with different content or previous term {known.PreviousTerm}");
                }
            }
            else if (previousTerm != ulong.MaxValue || !_entries.ContainsKey(key))
            {
                _entries[key] = value;
            }
        }
    }

    private static ulong Hash(Entry entry)
    {
        var hash = 14695981039346656037UL ^ (ulong)entry.Type;
        foreach (var b in entry.Data.Span)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash ^ ((ulong)entry.Data.Length << 48);
    }
}
