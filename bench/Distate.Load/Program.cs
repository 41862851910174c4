using Distate.Load;

// A closed-loop load generator for the etcd v3 JSON gateway (Distate or etcd itself): N clients, one keep-alive
// connection each, pre-encoded bodies, bounded by --duration and --max-requests. See LoadOptions.Usage and
// docs/benchmarks.md ("Server vs etcd 3.4"). Exit codes: 0 ran, 1 no leader / run failed, 2 bad flags.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"distate-load: {ex.Message}\n{LoadOptions.Usage}").ConfigureAwait(false);
    return 2;
}
catch (UriFormatException ex)
{
    await Console.Error.WriteLineAsync($"distate-load: bad --endpoints URL: {ex.Message}").ConfigureAwait(false);
    return 2;
}

// Ctrl-C abandons the run; a hard bound stops a wedged one (neither prints a report).
var hardLimit = options.Warmup + options.Duration + options.LeaderTimeout + options.RequestTimeout + TimeSpan.FromSeconds(30);
using var stop = new CancellationTokenSource(hardLimit);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var report = await LoadRunner.RunAsync(options, stop.Token).ConfigureAwait(false);
    Console.WriteLine(options.Json ? report.ToJson() : report.ToText());
    return 0;
}
catch (TimeoutException ex)
{
    await Console.Error.WriteLineAsync($"distate-load: {ex.Message}").ConfigureAwait(false);
    return 1;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync($"distate-load: stopped after the hard limit of {hardLimit.TotalSeconds:0} s or Ctrl-C").ConfigureAwait(false);
    return 1;
}
