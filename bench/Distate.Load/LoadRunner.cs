using System.Diagnostics;

namespace Distate.Load;

/// <summary>Runs one workload: picks endpoints, starts the clients, waits for the schedule to end, merges results.</summary>
internal static class LoadRunner
{
    /// <summary>Runs <paramref name="options"/> to completion and returns the merged report.</summary>
    public static async Task<LoadReport> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<Uri> endpoints = options.Endpoints;
        if (options.Target != Target.All)
        {
            var leader = await LeaderFinder.FindAsync(options.Endpoints, options.LeaderTimeout, cancellationToken).ConfigureAwait(false);
            endpoints = options.Target == Target.Leader ? [leader] : [.. options.Endpoints.Where(endpoint => endpoint != leader)];
            if (endpoints.Count == 0)
            {
                throw new ArgumentException("--target followers needs at least one endpoint that is not the leader");
            }
        }

        var bodies = RequestBodies.For(options);
        var fill = options.Workload == Workload.Fill;
        var schedule = new RunSchedule(
            fill ? TimeSpan.Zero : options.Warmup,
            options.Duration,
            fill ? options.KeySpace : options.MaxRequests,
            fill ? options.KeySpace : 0,
            fill ? 0 : options.RatePerSecond);

        var clients = new LoadClient[options.Clients];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = new LoadClient(i, endpoints[i % endpoints.Count], bodies, schedule, options.RequestTimeout);
        }

        try
        {
            var runs = new Task[clients.Length];
            for (var i = 0; i < clients.Length; i++)
            {
                var client = clients[i];
                runs[i] = Task.Run(() => client.RunAsync(cancellationToken), cancellationToken);
            }

            await Task.WhenAll(runs).ConfigureAwait(false);
            return Merge(options, endpoints, schedule, clients);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static LoadReport Merge(LoadOptions options, IReadOnlyList<Uri> endpoints, RunSchedule schedule, LoadClient[] clients)
    {
        var histogram = new LatencyHistogram();
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long emptyRanges = 0;
        var lastCompletion = schedule.MeasureStartTimestamp;
        foreach (var client in clients)
        {
            histogram.Add(client.Histogram);
            emptyRanges += client.EmptyRanges;
            lastCompletion = Math.Max(lastCompletion, client.LastCompletionTimestamp);
            foreach (var (name, count) in client.Errors)
            {
                errors[name] = errors.GetValueOrDefault(name) + count;
            }
        }

        var elapsedSeconds = (double)(lastCompletion - schedule.MeasureStartTimestamp) / Stopwatch.Frequency;
        var rss = new List<(int Pid, long RssKib, long PeakKib)>();
        foreach (var pid in options.RssPids)
        {
            if (ProcessMemory.TryRead(pid) is { } memory)
            {
                rss.Add((pid, memory.RssKib, memory.PeakKib));
            }
        }

        return new LoadReport(options, endpoints, histogram, errors, emptyRanges, elapsedSeconds, rss);
    }
}
