using Distate.Node.Envelope;
using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Simulation.Host;

/// <summary>The simulator's registers behind the driver's state machine seam; entries carry envelope kind Test.</summary>
public sealed class SimStateMachine(KvStateMachine registers, NodeId self) : IStateMachine
{
    /// <summary>True once this member applied its own removal.</summary>
    public bool RemovedSelf { get; private set; }

    /// <inheritdoc />
    public object? Apply(LogIndex index, EntryEnvelope envelope)
    {
        Invariant.Check(envelope.Kind == EntryKind.Test, $"the simulator proposes only test entries, found {envelope.Kind} at {index}");
        registers.Apply(index, envelope.Payload);
        return null;
    }

    /// <inheritdoc />
    public void ApplyConfChange(LogIndex index, ConfChange change)
    {
        registers.Skip(index);
        if (change.Type == ConfChangeType.RemoveNode && change.NodeId == self)
        {
            RemovedSelf = true;
        }
    }

    /// <inheritdoc />
    public ISnapshotSource Capture(LogIndex appliedIndex) => new RegistersCapture(registers.Serialize(appliedIndex));

    /// <inheritdoc />
    public void Restore(Snapshot snapshot) => registers.Restore(snapshot);

    private sealed class RegistersCapture(byte[] data) : ISnapshotSource
    {
        public void WriteTo(Stream stream) => stream.Write(data);
    }
}
