using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Tests.Support;
using Distate.Store.Watch;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Watch;

// Proves the watch feed: events arrive in revision order with kv and prev_kv; a watcher started in the past replays
// history and continues live with no gap, duplicate or reordering even while another thread applies; compacted starts
// and watchers overtaken by compaction get a cancel carrying the compact revision; a slow watcher never blocks apply
// and is caught up from history; filters, progress notifications, future starts and cancel work. Every wait has a deadline.
public sealed class WatchTests
{
    [Fact]
    public async Task Live_events_arrive_in_order_with_prev_kv()
    {
        using var store = new KvStore();
        store.Put("a", "0");
        using Watcher watcher = store.Watch(new WatchRequest { Key = B("a"), RangeEnd = B("b"), PrevKv = true });
        store.Put("a", "1");
        store.Put("zz", "ignored");
        store.Apply(new TxnCommand { Success = [new PutCommand { Key = B("a2"), Value = B("x") }, new DeleteRangeCommand { Key = B("a") }] });

        WatchResponse first = await watcher.NextAsync();
        Assert.Equal(3, first.Revision.Value);
        Assert.Equal(("1", "0"), (S(first.Events[0].Kv.Value), S(first.Events[0].PrevKv!.Value)));

        WatchResponse txn = await watcher.NextAsync();
        Assert.Equal(5, txn.Revision.Value);
        Assert.Equal([WatchEventType.Put, WatchEventType.Delete], txn.Events.Select(e => e.Type));
        Assert.Null(txn.Events[0].PrevKv);
        Assert.Equal(("a", 5L, 0L), (S(txn.Events[1].Kv.Key), txn.Events[1].Kv.ModRevision.Value, txn.Events[1].Kv.Version));
        Assert.Equal("1", S(txn.Events[1].PrevKv!.Value));
    }

    [Fact]
    public async Task History_replay_hands_over_to_live_without_gap_or_duplicate_under_concurrent_apply()
    {
        using var store = new KvStore(new StoreSettings { WatcherBufferResponses = 4, MaxCatchUpScanEntries = 7 });
        for (int i = 0; i < 200; i++)
        {
            store.Put($"k{i % 10}", $"{i}");
        }

        using Watcher watcher = store.Watch(new WatchRequest { Key = B("k"), RangeEnd = B("l"), StartRevision = new Revision(2) });
        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                store.Put($"k{i % 10}", $"live{i}");
            }
        });
        List<long> seen = await watcher.EventRevisionsUntilAsync(2201);
        await writer;
        Assert.Equal(Enumerable.Range(2, 2200).Select(r => (long)r), seen);
    }

    [Fact]
    public async Task Resume_from_a_middle_revision_replays_only_from_there()
    {
        using var store = new KvStore();
        for (int i = 0; i < 10; i++)
        {
            store.Put("k", $"{i}");
        }

        using Watcher watcher = store.Watch(new WatchRequest { Key = B("k"), StartRevision = new Revision(7) });
        store.Put("k", "live");
        Assert.Equal([7L, 8, 9, 10, 11, 12], await watcher.EventRevisionsUntilAsync(12));
    }

    [Fact]
    public async Task Compacted_start_revision_is_canceled_with_the_compact_revision()
    {
        using var store = new KvStore();
        for (int i = 0; i < 5; i++)
        {
            store.Put("k", $"{i}");
        }

        store.Apply(new CompactCommand(new Revision(4)));
        using Watcher watcher = store.Watch(new WatchRequest { Key = B("k"), StartRevision = new Revision(3) });
        WatchResponse response = await watcher.NextAsync();
        Assert.True(response.Canceled);
        Assert.Equal(4, response.CompactRevision.Value);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", response.CancelReason);
        Assert.Null(await watcher.ReadAsync());

        using Watcher atCompact = store.Watch(new WatchRequest { Key = B("k"), StartRevision = new Revision(4) });
        Assert.Equal([4L, 5, 6], await atCompact.EventRevisionsUntilAsync(6));
    }

    [Fact]
    public async Task Slow_watcher_never_blocks_apply_and_is_caught_up_from_history()
    {
        using var store = new KvStore(new StoreSettings { WatcherBufferResponses = 2 });
        using Watcher slow = store.Watch(new WatchRequest { Key = B("k") });
        for (int i = 0; i < 500; i++)
        {
            store.Put("k", $"{i}");
        }

        Assert.Equal(501, store.CurrentRevision.Value);
        List<long> seen = await slow.EventRevisionsUntilAsync(501);
        Assert.Equal(Enumerable.Range(2, 500).Select(r => (long)r), seen);
        store.Put("k", "live");
        Assert.Equal(502, (await slow.NextAsync()).Revision.Value);
    }

    [Fact]
    public async Task Slow_watcher_overtaken_by_compaction_gets_buffered_events_then_a_cancel()
    {
        using var store = new KvStore(new StoreSettings { WatcherBufferResponses = 2 });
        using Watcher slow = store.Watch(new WatchRequest { Key = B("k") });
        for (int i = 0; i < 20; i++)
        {
            store.Put("k", $"{i}");
        }

        store.Apply(new CompactCommand(new Revision(15)));
        Assert.Equal(2, (await slow.NextAsync()).Revision.Value);
        Assert.Equal(3, (await slow.NextAsync()).Revision.Value);
        WatchResponse canceled = await slow.NextAsync();
        Assert.True(canceled.Canceled);
        Assert.Equal(15, canceled.CompactRevision.Value);
        Assert.True(slow.IsCanceled);
        Assert.Equal(0, store.WatcherCount);
    }

    [Fact]
    public async Task Filters_drop_puts_or_deletes()
    {
        using var store = new KvStore();
        using Watcher noPut = store.Watch(new WatchRequest { Key = B("k"), NoPut = true });
        using Watcher noDelete = store.Watch(new WatchRequest { Key = B("k"), NoDelete = true });
        store.Put("k", "1");
        store.Delete("k");
        store.Put("k", "2");
        WatchResponse deleteOnly = await noPut.NextAsync();
        Assert.Equal((3L, WatchEventType.Delete), (deleteOnly.Revision.Value, deleteOnly.Events.Single().Type));
        Assert.Equal([2L, 4], await noDelete.EventRevisionsUntilAsync(4));
    }

    [Fact]
    public async Task Progress_notifications_report_the_current_revision_after_all_earlier_events()
    {
        using var store = new KvStore();
        using Watcher watcher = store.Watch(new WatchRequest { Key = B("k"), ProgressNotify = true });
        using Watcher quiet = store.Watch(new WatchRequest { Key = B("q") });
        store.Put("k", "1");
        store.Put("other", "1");
        store.NotifyProgress();
        Assert.Equal(2, (await watcher.NextAsync()).Revision.Value);
        WatchResponse progress = await watcher.NextAsync();
        Assert.True(progress.IsProgressNotify);
        Assert.Equal(3, progress.Revision.Value);

        quiet.RequestProgress();
        WatchResponse requested = await quiet.NextAsync();
        Assert.Equal((true, 3L), (requested.IsProgressNotify, requested.Revision.Value));
    }

    [Fact]
    public async Task Future_start_waits_for_that_revision_and_dispose_ends_the_stream()
    {
        using var store = new KvStore();
        Watcher watcher = store.Watch(new WatchRequest { Key = B("k"), StartRevision = new Revision(4) });
        store.Put("k", "2");
        store.Put("k", "3");
        store.Put("k", "4");
        Assert.Equal(4, (await watcher.NextAsync()).Revision.Value);
        watcher.Dispose();
        Assert.Null(await watcher.ReadAsync());
        Assert.Equal(0, store.WatcherCount);
    }

    [Fact]
    public async Task Read_all_streams_until_cancel_and_ends_after_the_final_response()
    {
        using var store = new KvStore(new StoreSettings { WatcherBufferResponses = 2 });
        using Watcher watcher = store.Watch(new WatchRequest { Key = B("k") });
        for (int i = 0; i < 6; i++)
        {
            store.Put("k", $"{i}");
        }

        store.Apply(new CompactCommand(new Revision(6)));
        using var timeout = new CancellationTokenSource(WatchReading.Deadline);
        var responses = new List<WatchResponse>();
        await foreach (WatchResponse response in watcher.ReadAllAsync(timeout.Token))
        {
            responses.Add(response);
        }

        Assert.Equal([2L, 3, 7], responses.Select(r => r.Revision.Value));
        Assert.Equal((false, true), (responses[1].Canceled, responses[2].Canceled));
        Assert.Equal(6, responses[2].CompactRevision.Value);
    }

    [Fact]
    public void Invalid_watch_requests_are_refused()
    {
        using var store = new KvStore(new StoreSettings { MaxWatchers = 1 });
        Assert.Equal(StoreErrorCode.EmptyKey, Assert.Throws<StoreRequestException>(() => store.Watch(new WatchRequest { Key = [] })).Error.Code);
        using Watcher only = store.Watch(new WatchRequest { Key = B("k") });
        Assert.Equal(StoreErrorCode.TooManyWatchers, Assert.Throws<StoreRequestException>(() => store.Watch(new WatchRequest { Key = B("k") })).Error.Code);
    }

    [Fact]
    public async Task A_live_watcher_continues_from_the_new_history_after_snapshot_restore()
    {
        using var leader = new KvStore();
        for (int i = 0; i < 5; i++)
        {
            leader.Put("k", $"{i}");
        }

        using var follower = new KvStore();
        follower.Put("k", "0");
        using Watcher watcher = follower.Watch(new WatchRequest { Key = B("k") });
        using var image = new MemoryStream();
        leader.WriteSnapshot(image);
        image.Position = 0;
        follower.RestoreSnapshot(image);
        Assert.Equal([3L, 4, 5, 6], await watcher.EventRevisionsUntilAsync(6));
    }
}
