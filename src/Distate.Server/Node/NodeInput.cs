using Distate.Raft;
using Distate.Storage.Snapshots;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>Something for the node loop to do; the loop is the only code that touches Raft state.</summary>
internal abstract record NodeInput
{
    /// <summary>One logical Raft tick.</summary>
    public sealed record Tick : NodeInput;

    /// <summary>Entry data to replicate (a store command or publish entry); completes with the store's result once applied.</summary>
    public sealed record Proposal(byte[] Command, TaskCompletionSource<StoreResult?> Completion) : NodeInput;

    /// <summary>A membership change to replicate; completes once applied.</summary>
    public sealed record ConfChangeProposal(ConfChange Change, TaskCompletionSource<StoreResult?> Completion) : NodeInput;

    /// <summary>A linearizable read barrier; completes once leadership is confirmed and applied ≥ the read index.</summary>
    public sealed record ReadBarrier(TaskCompletionSource Completion) : NodeInput;

    /// <summary>A message from a peer.</summary>
    public sealed record PeerMessage(Message Message) : NodeInput;

    /// <summary>The transport could not reach a peer.</summary>
    public sealed record Unreachable(NodeId Peer) : NodeInput;

    /// <summary>The transport finished (or failed) sending a snapshot to a peer.</summary>
    public sealed record SnapshotStatus(NodeId Peer, bool Succeeded) : NodeInput;

    /// <summary>The apply task wrote a snapshot's data file (on the durable log's storage of that generation); the loop
    /// records it in the log and compacts.</summary>
    public sealed record SnapshotTaken(StagedSnapshot Staged, int Generation) : NodeInput;
}
