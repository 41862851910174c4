using Distate.Store.Mvcc;

namespace Distate.Store.Watch;

/// <summary>The changes of one revision, converted to client events once and shared by every watcher that takes them all.</summary>
internal sealed class EventBatch
{
    private readonly KeyVersion[] _versions;
    private readonly int _start;
    private readonly int _count;
    private WatchEvent[]? _withPrevious;
    private WatchEvent[]? _withoutPrevious;

    /// <summary>Wraps versions [start, start + count) which all share one main revision.</summary>
    public EventBatch(KeyVersion[] versions, int start, int count)
    {
        Invariant.Check(count > 0, "a batch holds at least one change");
        Invariant.Check(versions[start].ModMain == versions[start + count - 1].ModMain, "a batch is one revision");
        _versions = versions;
        _start = start;
        _count = count;
    }

    /// <summary>The revision of the batch.</summary>
    public long Revision => _versions[_start].ModMain;

    /// <summary>The events a watch request takes from this batch, or null when none.</summary>
    public IReadOnlyList<WatchEvent>? For(WatchRequest request)
    {
        int matched = 0;
        for (int i = 0; i < _count; i++)
        {
            matched += Matches(request, _versions[_start + i]) ? 1 : 0;
        }

        if (matched == 0)
        {
            return null;
        }

        WatchEvent[] all = request.PrevKv ? (_withPrevious ??= Convert(true)) : (_withoutPrevious ??= Convert(false));
        if (matched == _count)
        {
            return all;
        }

        var some = new WatchEvent[matched];
        int next = 0;
        for (int i = 0; i < _count; i++)
        {
            if (Matches(request, _versions[_start + i]))
            {
                some[next++] = all[i];
            }
        }

        return some;
    }

    private static bool Matches(WatchRequest request, KeyVersion version)
    {
        if (version.IsTombstone ? request.NoDelete : request.NoPut)
        {
            return false;
        }

        return KeyIndex.Contains(request.Key, request.RangeEnd, version.Owner.Key);
    }

    private WatchEvent[] Convert(bool withPrevious)
    {
        var events = new WatchEvent[_count];
        for (int i = 0; i < _count; i++)
        {
            KeyVersion version = _versions[_start + i];
            KeyValue? previous = withPrevious ? version.LivePrevious?.ToKeyValue() : null;
            events[i] = new WatchEvent(version.IsTombstone ? WatchEventType.Delete : WatchEventType.Put, version.ToKeyValue(), previous);
        }

        return events;
    }
}
