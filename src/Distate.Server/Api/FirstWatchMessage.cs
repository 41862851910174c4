namespace Distate.Server.Api;

/// <summary>The outcome of reading a watch stream's first message when the stream should open.</summary>
/// <param name="Message">The message, or null when the client ended an empty body (the stream opens and stays quiet).</param>
internal sealed record FirstWatchMessage(WatchStreamMessage? Message);
