namespace Distate.Store.Watch;

/// <summary>What to watch (etcd WatchCreateRequest): a key, range or prefix, from a start revision, with filters.</summary>
public sealed record WatchRequest
{
    /// <summary>The key, or first key of the range.</summary>
    public required byte[] Key { get; init; }

    /// <summary>Exclusive range end: empty watches one key, "\0" every key from Key on.</summary>
    public byte[] RangeEnd { get; init; } = [];

    /// <summary>First revision to deliver; 0 or less means "from the next revision".</summary>
    public Revision StartRevision { get; init; }

    /// <summary>Attach the previous key-value to each event.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Drop put events.</summary>
    public bool NoPut { get; init; }

    /// <summary>Drop delete events.</summary>
    public bool NoDelete { get; init; }

    /// <summary>Receive progress notifications from <see cref="KvStore.NotifyProgress"/>.</summary>
    public bool ProgressNotify { get; init; }
}
