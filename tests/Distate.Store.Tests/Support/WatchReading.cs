using Distate.Store.Watch;
using Xunit;

namespace Distate.Store.Tests.Support;

/// <summary>Reads watch responses with a deadline, so a missing event fails the test instead of hanging it.</summary>
internal static class WatchReading
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static async Task<WatchResponse> NextAsync(this Watcher watcher)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        WatchResponse? response = await watcher.ReadAsync(timeout.Token);
        Assert.NotNull(response);
        return response;
    }

    /// <summary>Reads event responses until one at or past the revision; returns every event revision seen, in order.</summary>
    public static async Task<List<long>> EventRevisionsUntilAsync(this Watcher watcher, long lastRevision)
    {
        var revisions = new List<long>();
        while (revisions.Count == 0 || revisions[^1] < lastRevision)
        {
            WatchResponse response = await watcher.NextAsync();
            Assert.False(response.Canceled, $"watcher canceled: {response.CancelReason}");
            foreach (WatchEvent e in response.Events)
            {
                Assert.Equal(response.Revision, e.Kv.ModRevision);
                revisions.Add(e.Kv.ModRevision.Value);
            }
        }

        return revisions;
    }
}
