namespace Distate.Raft.Progress;

/// <summary>
/// The appends sent to one follower and not yet acknowledged, as a ring buffer bounded in count and bytes:
/// the flow-control window of the replicate state.
/// </summary>
/// <remarks>Invariant: 0 ≤ Count ≤ capacity; indexes in the ring increase from head to tail.</remarks>
internal sealed class Inflights
{
    private readonly LogIndex[] _indexes;
    private readonly long[] _bytes;
    private readonly long _maxBytes;
    private int _start;

    /// <summary>Creates a window of at most maxCount messages and maxBytes payload.</summary>
    public Inflights(int maxCount, long maxBytes)
    {
        Invariant.Check(maxCount > 0, "in-flight window needs at least one slot");
        _indexes = new LogIndex[maxCount];
        _bytes = new long[maxCount];
        _maxBytes = maxBytes;
    }

    /// <summary>Messages in flight.</summary>
    public int Count { get; private set; }

    /// <summary>Payload bytes in flight.</summary>
    public long Bytes { get; private set; }

    /// <summary>True when no more appends may be sent.</summary>
    public bool Full => Count == _indexes.Length || (_maxBytes > 0 && Bytes >= _maxBytes);

    /// <summary>Records an append whose last entry is <paramref name="lastIndex"/>.</summary>
    public void Add(LogIndex lastIndex, long bytes)
    {
        Invariant.Check(!Full, "cannot add to a full in-flight window");
        var slot = (_start + Count) % _indexes.Length;
        if (Count > 0)
        {
            Invariant.Check(lastIndex >= _indexes[(slot + _indexes.Length - 1) % _indexes.Length], "in-flight indexes must not decrease");
        }

        _indexes[slot] = lastIndex;
        _bytes[slot] = bytes;
        Count++;
        Bytes += bytes;
    }

    /// <summary>Frees every append whose last index is ≤ index (acknowledged).</summary>
    public void FreeLessOrEqual(LogIndex index)
    {
        while (Count > 0 && _indexes[_start] <= index)
        {
            Bytes -= _bytes[_start];
            _start = (_start + 1) % _indexes.Length;
            Count--;
        }

        if (Count == 0)
        {
            _start = 0;
            Bytes = 0;
        }
    }

    /// <summary>Frees the oldest append (a heartbeat response proves the follower is alive).</summary>
    public void FreeFirst()
    {
        if (Count > 0)
        {
            FreeLessOrEqual(_indexes[_start]);
        }
    }

    /// <summary>Forgets everything in flight.</summary>
    public void Reset()
    {
        Count = 0;
        Bytes = 0;
        _start = 0;
    }
}
