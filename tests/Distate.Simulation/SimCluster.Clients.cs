using Distate.Raft;

namespace Distate.Simulation;

/// <summary>The client workload: writes proposed through Raft and linearizable ReadIndex reads.</summary>
public sealed partial class SimCluster
{
    private const byte Keys = 3;
    private const int ReadTimeoutTicks = 30;

    private void IssueClientOperations()
    {
        for (var client = 0; client < _scenario.Clients; client++)
        {
            var current = _clientOperation[client];
            if (current is { Outcome: OperationOutcome.Pending } || !_random.Chance(_scenario.ClientRate))
            {
                continue;
            }

            var node = ChooseNode(client);
            if (node is null)
            {
                continue;
            }

            var isWrite = _random.Chance(0.6);
            var key = (byte)_random.Next(Keys);
            _clientOperation[client] = isWrite ? Write(client, node, key) : Read(client, node, key);
        }
    }

    private SimNode? ChooseNode(int client)
    {
        var hinted = FindNode(_clientTarget[client]);
        if (hinted is { Up: true, Removed: false } && _random.Chance(0.8))
        {
            return hinted;
        }

        var up = UpNodes();
        return up.Count == 0 ? null : _random.Pick(up);
    }

    /// <summary>Starts a write on a node; a refused proposal fails (see <see cref="OnRefused"/>).</summary>
    private ClientOperation Write(int client, SimNode node, byte key)
    {
        var operation = NewOperation(client, node, key, isWrite: true);
        node.Write(operation);
        return operation;
    }

    /// <summary>Starts a linearizable read; a read has no effect, so a timed-out read simply fails.</summary>
    private ClientOperation Read(int client, SimNode node, byte key)
    {
        var operation = NewOperation(client, node, key, isWrite: false);
        operation.DeadlineAt = _now + (ReadTimeoutTicks * StepsPerTick);
        node.Read(operation);
        return operation;
    }

    private ClientOperation NewOperation(int client, SimNode node, byte key, bool isWrite)
    {
        var operation = new ClientOperation
        {
            Id = _nextOperationId++, IsWrite = isWrite, Key = key, Client = client, InvokedAt = _now, Node = node.Id,
        };
        _history.Add(operation);
        _clientTarget[client] = node.Id;
        return operation;
    }
}
