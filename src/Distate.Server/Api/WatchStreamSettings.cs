namespace Distate.Server.Api;

/// <summary>Limits on one /v3/watch stream. Register an instance in the service container to override the defaults.</summary>
public sealed record WatchStreamSettings
{
    /// <summary>The defaults, used when none are registered.</summary>
    public static WatchStreamSettings Default { get; } = new();

    /// <summary>Most watches one stream may hold at once (live or still draining); more creates are refused on the stream.</summary>
    public int MaxWatchesPerStream { get; init; } = 1_000;

    /// <summary>Responses queued for the client before the stream's watchers must wait; behind that, each watcher buffers
    /// up to the store's WatcherBufferResponses and then falls back to catching up from history, so memory stays bounded.</summary>
    public int MaxQueuedResponses { get; init; } = 64;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid limit.</summary>
    public void Validate()
    {
        if (MaxWatchesPerStream < 1)
        {
            throw new ArgumentException($"{nameof(MaxWatchesPerStream)} must be at least 1, not {MaxWatchesPerStream}.");
        }

        if (MaxQueuedResponses < 1)
        {
            throw new ArgumentException($"{nameof(MaxQueuedResponses)} must be at least 1, not {MaxQueuedResponses}.");
        }
    }
}
