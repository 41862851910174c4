using Distate.Node.Requests;
using Distate.Raft;
using Distate.Server.Members;
using Polly;
using Polly.Retry;

namespace Distate.Server.Node;

/// <summary>Work beside the loop: publishing this member's name and client URLs, the leader's lease clock, auto-compaction,
/// watch progress notifications and the disk watch.</summary>
public sealed partial class RaftHost
{
    private async Task RunBackgroundAsync()
    {
        try
        {
            await Task.WhenAll(
                Leases.RunAsync(_stop.Token), Compactor.RunAsync(_stop.Token), PublishAsync(_stop.Token),
                NotifyWatchProgressAsync(_stop.Token), WatchDiskAsync(_stop.Token))
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>How often a read-only member (full disk) looks for room to accept writes again.</summary>
    private static readonly TimeSpan DiskCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>While the disk is full, checks every second whether it has room again (see <see cref="DurableLog.TryLeaveReadOnly"/>).</summary>
    private async Task WatchDiskAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(DiskCheckInterval);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            _storage.TryLeaveReadOnly();
        }
    }

    /// <summary>Every --watch-progress-notify-interval, tells watchers that asked for progress_notify how far they are synced.</summary>
    private async Task NotifyWatchProgressAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.WatchProgressNotifyIntervalMs));
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            Store.NotifyProgress();
        }
    }

    private readonly TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this member's name and client URLs are in its own directory (published and applied here).</summary>
    public Task Published => _published.Task;

    /// <summary>True once the directory holds this member's current name and client URLs.</summary>
    public bool IsPublished =>
        Members.TryGet(Id, out var member) && member.Name == _options.Name && member.ClientUrls.SequenceEqual(_options.AdvertiseClientUrls);

    /// <summary>
    /// Replicates this member's name and client URLs (etcd's publish) so any member can forward writes here when it
    /// leads and list it in member list. Retries with backoff until it is in the directory: a leader may not exist yet,
    /// or may not have published its own URL yet (then this member cannot reach it and waits).
    /// </summary>
    private async Task PublishAsync(CancellationToken stop)
    {
        var entry = MemberCodec.EncodePublish(new MemberAttributes(Id, _options.Name, _options.AdvertiseClientUrls));
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(2),
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => !stop.IsCancellationRequested && ex is not InvalidOperationException),
        }).Build();
        await retry.ExecuteAsync(async token => await PublishOnceAsync(entry, token).ConfigureAwait(false), stop).ConfigureAwait(false);
        _published.TrySetResult();
    }

    private async Task PublishOnceAsync(byte[] entry, CancellationToken stop)
    {
        if (IsPublished)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.RequestTimeoutMs);
        if (Status.Leader == Id)
        {
            await ProposePublishAsync(entry, timeout.Token).ConfigureAwait(false);
        }
        else if (Forwarder.TryGetLeaderUrl(out var leaderUrl, out var problem))
        {
            await Forwarder.PublishAsync(leaderUrl, entry, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            throw new RequestFailedException(new RequestFailure(DroppedReason.NoLeader, NodeId.None, problem));
        }

        if (!IsPublished)
        {
            // Committed at the leader but not yet applied here: try again after a backoff (the retry sees it applied).
            throw new TimeoutException("publish not yet applied on this member");
        }
    }
}
