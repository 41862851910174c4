namespace Distate.Node.Requests;

/// <summary>A linearizable read waiting for its read index to be confirmed and applied.</summary>
/// <param name="Waiter">Who waits.</param>
/// <param name="StartedTimestamp">When it was asked (TimeProvider timestamp).</param>
internal sealed record PendingRead(IRequestWaiter Waiter, long StartedTimestamp);
