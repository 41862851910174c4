using Distate.Store.Watch;

namespace Distate.Server.Api;

/// <summary>One watch on a /v3/watch stream: its stream-local id, the store watcher, and the task pumping its responses.</summary>
internal sealed class WatchSlot
{
    private volatile bool _clientCanceled;

    /// <summary>Creates the slot for a registered watcher.</summary>
    public WatchSlot(long id, Watcher watcher)
    {
        Id = id;
        Watcher = watcher;
    }

    /// <summary>The id the client knows the watch by (unique among the stream's live watches).</summary>
    public long Id { get; }

    /// <summary>The store's watcher.</summary>
    public Watcher Watcher { get; }

    /// <summary>Reads the watcher and queues its responses; set once, right after the created line is queued.</summary>
    public Task Pump { get; set; } = Task.CompletedTask;

    /// <summary>The client canceled the watch: nothing more of it may reach the client. Read by the writer without the lock.</summary>
    public bool ClientCanceled
    {
        get => _clientCanceled;
        set => _clientCanceled = value;
    }

    /// <summary>A stream progress request waits for this watch's proof of progress. Guarded by the stream's lock.</summary>
    public bool ProgressAwaited { get; set; }
}
