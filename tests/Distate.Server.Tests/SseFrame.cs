namespace Distate.Server.Tests;

/// <summary>One SSE frame: id (null when absent), event name, data line, and any comment lines.</summary>
public sealed record SseFrame(string? Id, string? Event, string? Data, IReadOnlyList<string> Comments);
