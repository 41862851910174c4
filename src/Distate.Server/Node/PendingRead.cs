namespace Distate.Server.Node;

/// <summary>A linearizable read waiting for leadership confirmation and then for apply to reach its read index.</summary>
internal readonly record struct PendingRead(TaskCompletionSource Completion, long StartedTicks);
