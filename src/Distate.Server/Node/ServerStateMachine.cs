using Distate.Node.Envelope;
using Distate.Node.Seams;
using Distate.Raft;
using Distate.Server.Members;
using Distate.Store;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>
/// The member's replicated state machine behind the driver's seam: the MVCC store (envelope kind StoreCommand) and the
/// member directory (membership changes and MemberPublish entries). Snapshots hold both (<see cref="SnapshotEnvelope"/>).
/// Called only by the apply task; <c>afterStoreApply</c> sees each store result (the host watches space alarms).
/// </summary>
internal sealed class ServerStateMachine(KvStore store, MemberDirectory members, NodeSeams seams, Action<StoreResult> afterStoreApply) : IStateMachine
{
    /// <inheritdoc />
    public object? Apply(LogIndex index, EntryEnvelope envelope)
    {
        seams.BeforeApply?.Invoke(index, envelope);
        switch (envelope.Kind)
        {
            case EntryKind.StoreCommand:
                var result = store.Apply(envelope.Payload.Span);
                afterStoreApply(result);
                return result;
            case EntryKind.MemberPublish:
                members.Apply(MemberCodec.DecodePublish(envelope.Payload.Span));
                return null;
            default:
                throw new InvalidDataException($"log entry {index} has kind {envelope.Kind}, which a server member never proposes");
        }
    }

    /// <inheritdoc />
    public void ApplyConfChange(LogIndex index, ConfChange change) => members.Apply(change);

    /// <inheritdoc />
    public ISnapshotSource Capture(LogIndex appliedIndex) => new Source(SnapshotEnvelope.Capture(members, store));

    /// <inheritdoc />
    public void Restore(Snapshot snapshot) => Restore(snapshot, members, store);

    /// <summary>Replaces the directory and the store with a snapshot's (nothing for an empty snapshot).</summary>
    public static void Restore(Snapshot snapshot, MemberDirectory members, KvStore store)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.IsEmpty || snapshot.Data.Length == 0)
        {
            return;
        }

        using var stream = new MemoryStream(snapshot.Data.ToArray(), writable: false);
        SnapshotEnvelope.Read(stream, members, store);
    }

    private sealed class Source(SnapshotEnvelope envelope) : ISnapshotSource
    {
        public void WriteTo(Stream stream) => envelope.WriteTo(stream);
    }
}
