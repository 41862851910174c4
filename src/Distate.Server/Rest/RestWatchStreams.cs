using Distate.Store;

namespace Distate.Server.Rest;

/// <summary>Counts open watch streams on this member so their number stays under <see cref="RestSettings.MaxWatchStreams"/>.</summary>
internal sealed class RestWatchStreams
{
    private readonly int _maxStreams;
    private int _open;

    /// <summary>Creates the counter with the configured limit.</summary>
    public RestWatchStreams(RestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _maxStreams = settings.MaxWatchStreams;
    }

    /// <summary>Streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a slot; false when every slot is taken. Pair each true with one <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= _maxStreams)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    /// <summary>Gives a slot back.</summary>
    public void Exit()
    {
        int open = Interlocked.Decrement(ref _open);
        Invariant.Check(open >= 0, "every exit follows an enter");
    }
}
