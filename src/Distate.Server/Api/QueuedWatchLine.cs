namespace Distate.Server.Api;

/// <summary>A serialised watch line waiting for the stream's writer.</summary>
/// <param name="DropWhenCanceled">The watch the line belongs to, when the line must be dropped once the client canceled it.</param>
/// <param name="Line">The newline-terminated JSON line.</param>
internal readonly record struct QueuedWatchLine(WatchSlot? DropWhenCanceled, ReadOnlyMemory<byte> Line);
