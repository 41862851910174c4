using Distate.Node.Requests;
using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Node.Runtime;

/// <summary>Something for the node loop to hand to the driver; the loop is the only code that touches the driver.</summary>
internal abstract record RuntimeInput
{
    /// <summary>One logical Raft tick.</summary>
    public sealed record Tick : RuntimeInput;

    /// <summary>Entry data to replicate.</summary>
    public sealed record Proposal(byte[] Data, IRequestWaiter Waiter) : RuntimeInput;

    /// <summary>A membership change to replicate.</summary>
    public sealed record ConfChangeProposal(ConfChange Change, IRequestWaiter Waiter) : RuntimeInput;

    /// <summary>A linearizable read barrier.</summary>
    public sealed record Read(IRequestWaiter Waiter) : RuntimeInput;

    /// <summary>A message from a peer.</summary>
    public sealed record Peer(Message Message) : RuntimeInput;

    /// <summary>The transport could not reach a peer.</summary>
    public sealed record Unreachable(NodeId Node) : RuntimeInput;

    /// <summary>The transport finished (or failed) sending a snapshot.</summary>
    public sealed record SnapshotStatus(NodeId Node, bool Succeeded) : RuntimeInput;

    /// <summary>The snapshot writer staged a snapshot file; the loop records it.</summary>
    public sealed record Staged(StagedSnapshot Snapshot) : RuntimeInput;

    /// <summary>Tell the waiter once everything handed to the apply task so far is applied.</summary>
    public sealed record Marker(IRequestWaiter Waiter) : RuntimeInput;

    /// <summary>Fails the waiter of an input the loop will never see.</summary>
    public void Fail(Exception failure)
    {
        var waiter = this switch
        {
            Proposal proposal => proposal.Waiter,
            ConfChangeProposal change => change.Waiter,
            Read read => read.Waiter,
            Marker marker => marker.Waiter,
            _ => null,
        };
        (waiter as TaskWaiter)?.Fail(failure);
    }
}
