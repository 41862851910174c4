using System.Globalization;
using System.Text;

namespace Distate.Raft.Tests.Scenarios;

/// <summary>
/// Runs a scenario script against a <see cref="TestCluster"/> and produces the trace. A script is a text file of
/// commands, one per line; after each command come the expected trace lines, each prefixed with "> ". Lines starting
/// with '#' and blank lines are kept as they are. The trace is the cluster's event stream (messages as
/// <see cref="Message.ToString"/>, role changes, applies, reads) plus the output of inspection commands.
/// </summary>
/// <remarks>
/// Commands:
/// <code>
/// nodes 1,2,3 [prevote=off] [checkquorum=off] [maxappendbytes=N] [maxinflight=N] [uncommitted=N]
/// hide Heartbeat,HeartbeatResponse      show Heartbeat       (message types left out of the trace)
/// campaign 1        tick 10 [1,2]       deliver [rounds]     propose 1 x          read 1 7
/// partition 1,2 | 3,4,5     isolate 3   cut 3->1             drop 1->2,3 Append   heal
/// crash 2           restart 2           compact 1 5          transfer 1 3
/// add-learner 1 4   add-voter 1 4       remove 1 3           status 1             log 1
/// check leader 1 | role 2 Follower | term 3 2 | committed 2 5 | applied 2 5 | values 2 a,b | logs-match 1,2,3
///       | read 1 7 5 | dropped-read 1 7 LeadershipLost | no-leader 1,2,3 | proposals-resolved 1
/// </code>
/// "check" prints nothing and throws when it fails, so a script fails loudly even when its trace was rewritten.
/// </remarks>
internal sealed class ScenarioRunner
{
    private readonly List<string> _output = [];
    private TestCluster? _cluster;
    private ulong[] _bootstrap = [];

    /// <summary>Runs the script text and returns it with every "> " block replaced by the actual trace.</summary>
    public static string Run(string script, string name)
    {
        var runner = new ScenarioRunner();
        var result = new StringBuilder();
        var lines = script.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var lineCount = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < lineCount; i++)
        {
            var line = lines[i];
            if (line.StartsWith('>'))
            {
                continue; // expected output: regenerated below
            }

            result.Append(line).Append('\n');
            var command = line.Trim();
            if (command.Length == 0 || command.StartsWith('#'))
            {
                continue;
            }

            runner._output.Clear();
            try
            {
                runner.Execute(command);
            }
            catch (Exception e)
            {
                foreach (var output in runner._output)
                {
                    result.Append("> ").Append(output).Append('\n');
                }

                throw new ScenarioException($"{name}:{i + 1}: '{command}' failed: {e.Message}\n--- trace so far ---\n{result}", e);
            }

            foreach (var output in runner._output)
            {
                result.Append("> ").Append(output).Append('\n');
            }
        }

        return result.ToString();
    }

    private TestCluster Cluster => _cluster ?? throw new ScenarioException("the script must start with 'nodes'");

    private void Execute(string command)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = parts[1..];
        switch (parts[0])
        {
            case "nodes": Nodes(args); break;
            case "hide": Cluster.HiddenTypes.UnionWith(Types(args[0])); break;
            case "show": Cluster.HiddenTypes.ExceptWith(Types(args[0])); break;
            case "campaign": Cluster.Campaign(Id(args[0])); break;
            case "tick": Cluster.Tick(Int(args[0]), args.Length > 1 ? Ids(args[1]) : []); break;
            case "deliver": Deliver(args); break;
            case "propose": Cluster.Propose(Id(args[0]), string.Join(' ', args[1..])); break;
            case "read": Cluster.Read(Id(args[0]), ulong.Parse(args[1], CultureInfo.InvariantCulture)); break;
            case "partition": Cluster.Partition(string.Join(' ', args).Split('|').Select(g => Ids(g.Trim())).ToArray()); break;
            case "isolate": Cluster.Isolate(Id(args[0])); break;
            case "cut": Cut(args[0]); break;
            case "drop": Drop(args); break;
            case "heal": Cluster.Heal(); break;
            case "crash": Cluster.Crash(Id(args[0])); break;
            case "restart": Cluster.Restart(Id(args[0])); break;
            case "compact": Cluster.Compact(Id(args[0]), ulong.Parse(args[1], CultureInfo.InvariantCulture)); break;
            case "transfer": Cluster.Transfer(Id(args[0]), Id(args[1])); break;
            case "add-learner": Join(args, ConfChangeType.AddLearner); break;
            case "add-voter": Join(args, ConfChangeType.AddVoter); break;
            case "remove": Cluster.ProposeConfChange(Id(args[0]), ConfChangeType.RemoveNode, Id(args[1])); break;
            case "status": Status(Id(args[0])); break;
            case "log": _output.Add($"{args[0]} log: {TestCluster.LogOf(Cluster.Raft(Id(args[0])))}"); break;
            case "check": Check(args); break;
            default: throw new ScenarioException($"unknown command '{parts[0]}'");
        }
    }

    private void Nodes(string[] args)
    {
        _bootstrap = Ids(args[0]);
        var settings = args[1..].Select(a => a.Split('=')).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        _cluster = new TestCluster(_bootstrap, o => Configure(o, settings)) { Trace = _output.Add };
    }

    private static RaftOptions Configure(RaftOptions options, Dictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            options = key switch
            {
                "prevote" => options with { PreVote = value == "on" },
                "checkquorum" => options with { CheckQuorum = value == "on" },
                "maxappendbytes" => options with { MaxAppendBytes = long.Parse(value, CultureInfo.InvariantCulture) },
                "maxinflight" => options with { MaxInflightMessages = Int(value) },
                "uncommitted" => options with { MaxUncommittedBytes = long.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ScenarioException($"unknown setting '{key}'"),
            };
        }

        return options;
    }

    private void Deliver(string[] args)
    {
        if (args.Length == 0)
        {
            Cluster.Deliver();
            return;
        }

        for (var i = 0; i < Int(args[0]); i++)
        {
            Cluster.DeliverRound();
        }
    }

    private void Cut(string arrow)
    {
        var ends = arrow.Split("->");
        foreach (var from in Ids(ends[0]))
        {
            foreach (var to in Ids(ends[1]))
            {
                Cluster.Cut(from, to);
            }
        }
    }

    private void Drop(string[] args)
    {
        var ends = args[0].Split("->");
        var from = Ids(ends[0]);
        var to = ends[1] == "*" ? null : Ids(ends[1]);
        var types = args.Length > 1 ? Types(args[1]) : null;
        Cluster.DropWhere(m => Array.IndexOf(from, m.From.Value) >= 0 && (to is null || Array.IndexOf(to, m.To.Value) >= 0) &&
            (types is null || types.Contains(m.Type)));
    }

    private void Join(string[] args, ConfChangeType type)
    {
        var joiner = Id(args[1]);
        if (!Cluster.Nodes.ContainsKey(joiner))
        {
            // Told the bootstrap membership: see BUGS-FOUND.md #1 for why an empty storage does not work.
            Cluster.Add(joiner, new MemoryRaftStorage(ConfState.OfVoters(_bootstrap)));
        }

        Cluster.ProposeConfChange(Id(args[0]), type, joiner);
    }

    private void Status(ulong id)
    {
        var s = Cluster.Raft(id).Status();
        var line = $"{id} {s.Role} term={s.Term} vote={s.Vote} leader={s.Leader} commit={s.Commit} applied={s.Applied} last={s.LastIndex} {s.Config}";
        _output.Add(line);
        foreach (var (peer, progress) in s.Progress.OrderBy(p => p.Key.Value))
        {
            _output.Add($"  {peer}: {progress.State} match={progress.Match} next={progress.Next}" + (progress.IsLearner ? " learner" : ""));
        }
    }

    private void Check(string[] args)
    {
        var what = args[0];
        var node = args.Length > 1 && what != "logs-match" && what != "no-leader" ? Cluster.Raft(Id(args[1])) : null;
        switch (what)
        {
            case "leader":
                Require(node!.Role == StateRole.Leader, $"node {args[1]} is {node.Role}, not Leader");
                var rivals = Cluster.Nodes.Values.Where(n => n.Id != node.Id.Value && !n.Crashed && n.Raft.Role == StateRole.Leader && n.Raft.Term == node.Term);
                Require(!rivals.Any(), "two leaders in one term");
                break;
            case "no-leader":
                var leaders = Ids(args[1]).Where(id => Cluster.Raft(id).Role == StateRole.Leader).ToList();
                Require(leaders.Count == 0, $"{string.Join(",", leaders)} is leader");
                break;
            case "role":
                Require(node!.Role.ToString() == args[2], $"node {args[1]} is {node.Role}, expected {args[2]}");
                break;
            case "term":
                Require(node!.Term.Value == ulong.Parse(args[2], CultureInfo.InvariantCulture), $"node {args[1]} term is {node.Term}, expected {args[2]}");
                break;
            case "committed":
                Require(node!.CommitIndex.Value == ulong.Parse(args[2], CultureInfo.InvariantCulture), $"node {args[1]} commit is {node.CommitIndex}, expected {args[2]}");
                break;
            case "applied":
                Require(node!.AppliedIndex.Value == ulong.Parse(args[2], CultureInfo.InvariantCulture), $"node {args[1]} applied is {node.AppliedIndex}, expected {args[2]}");
                break;
            case "values":
                var values = string.Join(",", Cluster[Id(args[1])].Values);
                Require(values == (args.Length > 2 && args[2] != "-" ? args[2] : ""), $"node {args[1]} values are [{values}], expected [{(args.Length > 2 ? args[2] : "")}]");
                break;
            case "logs-match":
                var logs = Ids(args[1]).Select(id => TestCluster.LogOf(Cluster.Raft(id))).Distinct().ToList();
                Require(logs.Count == 1, "logs differ: " + string.Join(" | ", logs));
                break;
            case "read":
                var want = new ReadState(ulong.Parse(args[2], CultureInfo.InvariantCulture), new LogIndex(ulong.Parse(args[3], CultureInfo.InvariantCulture)));
                Require(Cluster[Id(args[1])].Reads.Contains(want), $"node {args[1]} has no read {want}");
                break;
            case "dropped-read":
                var request = ulong.Parse(args[2], CultureInfo.InvariantCulture);
                Require(Cluster[Id(args[1])].DroppedReads.Any(d => d.RequestId == request && d.Reason.ToString() == args[3]), $"node {args[1]} did not drop read {request} with {args[3]}");
                break;
            case "proposals-resolved":
                var pending = string.Join(" ", Cluster[Id(args[1])].PendingProposals.Select(p => $"{p.Term}/{p.Index}"));
                Require(pending.Length == 0, $"node {args[1]} still waits on proposals {pending}");
                break;
            default:
                throw new ScenarioException($"unknown check '{what}'");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ScenarioException("check failed: " + message);
        }
    }

    private static HashSet<MessageType> Types(string list) =>
        list.Split(',').Select(t => Enum.Parse<MessageType>(t)).ToHashSet();

    private static ulong Id(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);

    private static ulong[] Ids(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Id).ToArray();

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>A scenario script is malformed or one of its checks failed.</summary>
internal sealed class ScenarioException : Exception
{
    public ScenarioException() { }

    public ScenarioException(string message) : base(message) { }

    public ScenarioException(string message, Exception inner) : base(message, inner) { }
}
