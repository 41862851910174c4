namespace Distate.Store.Watch;

/// <summary>Where a watcher gets its next events from.</summary>
internal enum WatcherState
{
    /// <summary>Receives live events from apply.</summary>
    Synced = 0,

    /// <summary>Behind: its consumer reads history until it reaches the current revision.</summary>
    Unsynced = 1,

    /// <summary>Finished; receives nothing more.</summary>
    Canceled = 2,
}
