namespace Distate.Server.Rest;

/// <summary>Every limit of the REST API as a named setting, validated at startup (see docs/rest-api.md).</summary>
internal sealed record RestSettings
{
    /// <summary>Most keys one prefix listing returns; also the default <c>limit</c>. Listings cut short say <c>more: true</c>.</summary>
    public int MaxListKeys { get; init; } = 10_000;

    /// <summary>Seconds between <c>: keep-alive</c> comments on a watch stream when the client does not choose.</summary>
    public int DefaultHeartbeatSeconds { get; init; } = 15;

    /// <summary>Longest heartbeat interval a client may ask for, in seconds.</summary>
    public int MaxHeartbeatSeconds { get; init; } = 300;

    /// <summary>Most watch streams open at once on this member; more get 429.</summary>
    public int MaxWatchStreams { get; init; } = 10_000;

    /// <summary>Events written to a watch stream before it is flushed (and so waits for a slow client).</summary>
    public int WatchFlushEvents { get; init; } = 64;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid limit.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListKeys, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultHeartbeatSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeartbeatSeconds, DefaultHeartbeatSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWatchStreams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchFlushEvents, 1);
    }
}
