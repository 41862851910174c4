using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Distate.Load;

/// <summary>The merged outcome of a run: throughput, latency percentiles, errors by kind, and server memory.</summary>
internal sealed class LoadReport(
    LoadOptions options,
    IReadOnlyList<Uri> endpoints,
    LatencyHistogram histogram,
    SortedDictionary<string, long> errors,
    long emptyRanges,
    double elapsedSeconds,
    IReadOnlyList<(int Pid, long RssKib, long PeakKib)> rss)
{
    private static readonly (string Name, double Percentile)[] Percentiles =
        [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)];

    /// <summary>Successful measured requests per second.</summary>
    public double OpsPerSecond => elapsedSeconds > 0 ? histogram.TotalCount / elapsedSeconds : 0;

    /// <summary>Measured requests that failed, all kinds.</summary>
    public long ErrorCount => errors.Values.Sum();

    /// <summary>The human summary.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        text.AppendLine(ci, $"{Label()}workload {Name(options.Workload)}, {options.Clients} clients, target {Name(options.Target)} " +
            $"({string.Join(", ", endpoints)}), {elapsedSeconds:0.00} s measured after {Warmup():0.0} s warm-up");
        text.AppendLine(ci, $"  ok       {histogram.TotalCount,12:N0} requests   {OpsPerSecond,12:N0} ops/s");
        text.Append("  latency ");
        foreach (var (name, percentile) in Percentiles)
        {
            text.Append(ci, $" {name} {Milliseconds(histogram.ValueAtPercentile(percentile)):0.000} ms ");
        }

        text.AppendLine(ci, $" max {Milliseconds(histogram.MaxNanoseconds):0.000} ms  mean {MeanMilliseconds():0.000} ms");
        text.AppendLine(ci, $"  errors   {ErrorCount:N0}{(errors.Count == 0 ? "" : " (" + string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}")) + ")")}");
        if (options.Workload is Workload.GetLinearizable or Workload.GetSerializable)
        {
            text.AppendLine(ci, $"  ranges that found no key: {emptyRanges:N0}");
        }

        foreach (var (pid, rssKib, peakKib) in rss)
        {
            text.AppendLine(ci, $"  pid {pid}: RSS {rssKib / 1024.0:0.0} MiB (peak {peakKib / 1024.0:0.0} MiB)");
        }

        return text.ToString();
    }

    /// <summary>One JSON object on one line, for scripts (numbers in ms and ops/s).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("label", options.Label);
            writer.WriteString("workload", Name(options.Workload));
            writer.WriteNumber("clients", options.Clients);
            writer.WriteString("target", Name(options.Target));
            writer.WriteString("endpoints", string.Join(",", endpoints));
            writer.WriteNumber("seconds", Math.Round(elapsedSeconds, 3));
            writer.WriteNumber("ok", histogram.TotalCount);
            writer.WriteNumber("ops_per_sec", Math.Round(OpsPerSecond, 1));
            foreach (var (name, percentile) in Percentiles)
            {
                writer.WriteNumber(name.Replace(".", "", StringComparison.Ordinal) + "_ms", Math.Round(Milliseconds(histogram.ValueAtPercentile(percentile)), 3));
            }

            writer.WriteNumber("max_ms", Math.Round(Milliseconds(histogram.MaxNanoseconds), 3));
            writer.WriteNumber("mean_ms", Math.Round(MeanMilliseconds(), 3));
            writer.WriteNumber("errors", ErrorCount);
            writer.WriteStartObject("errors_by_kind");
            foreach (var (name, count) in errors)
            {
                writer.WriteNumber(name, count);
            }

            writer.WriteEndObject();
            writer.WriteNumber("empty_ranges", emptyRanges);
            writer.WriteStartObject("rss_kib");
            foreach (var (pid, rssKib, _) in rss)
            {
                writer.WriteNumber(pid.ToString(CultureInfo.InvariantCulture), rssKib);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string Label() => options.Label.Length == 0 ? "" : options.Label + ": ";

    private double Warmup() => options.Workload == Workload.Fill ? 0 : options.Warmup.TotalSeconds;

    private double MeanMilliseconds() => histogram.TotalCount == 0 ? 0 : histogram.SumNanoseconds / histogram.TotalCount / 1e6;

    private static double Milliseconds(long nanoseconds) => nanoseconds / 1e6;

    private static string Name(Workload workload) => workload switch
    {
        Workload.Put => "put",
        Workload.GetLinearizable => "get-linearizable",
        Workload.GetSerializable => "get-serializable",
        _ => "fill",
    };

    private static string Name(Target target) => target switch
    {
        Target.Leader => "leader",
        Target.Followers => "followers",
        _ => "all",
    };
}
