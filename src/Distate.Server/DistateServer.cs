using Distate.Server.Api;
using Distate.Server.Configuration;
using Distate.Server.Forwarding;
using Distate.Server.Http;
using Distate.Server.Metrics;
using Distate.Server.Node;
using Distate.Server.Rest;

namespace Distate.Server;

/// <summary>A running Distate member: the node loop plus the client API on Kestrel. Used by Program and by tests.</summary>
public sealed class DistateServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILoggerFactory _loggers;

    private DistateServer(WebApplication app, RaftHost host, ServerOptions options, ILoggerFactory loggers)
    {
        _app = app;
        Host = host;
        Options = options;
        _loggers = loggers;
    }

    /// <summary>The node.</summary>
    public RaftHost Host { get; }

    /// <summary>The settings it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>Every endpoint of the client port, as routing sees them (tests sweep them all).</summary>
    internal IEnumerable<Endpoint> Endpoints => ((IEndpointRouteBuilder)_app).DataSources.SelectMany(source => source.Endpoints);

    /// <summary>The first client URL actually bound (useful with port 0).</summary>
    public Uri ClientUrl => new(_app.Urls.First());

    /// <summary>Starts a member and its client API; returns once it is listening. <paramref name="seams"/> injects faults
    /// (tests only); <paramref name="logging"/> adds log providers (tests capture logs with it).</summary>
    public static async Task<DistateServer> StartAsync(
        ServerOptions options, NodeSeams? seams = null, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var loggers = LoggerFactory.Create(builder =>
        {
            builder.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information);
            logging?.Invoke(builder);
        });
        RaftHost host;
        try
        {
            host = await RaftHost.StartAsync(options, loggers.CreateLogger("Distate.Node"), seams ?? NodeSeams.None, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            loggers.Dispose();
            throw;
        }

        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(options.ListenClientUrls.Select(url => url.ToString()).ToArray());
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = host.Limits.MaxHttpBodyBytes;
                // Kestrel answers its own limits with empty bodies it cannot be told to fill: set them far above the
                // limits ClientErrorsMiddleware enforces with JSON answers.
                kestrel.Limits.MaxRequestLineSize = ServerLimits.KestrelRequestLineBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = ServerLimits.KestrelRequestLineBytes;
                kestrel.Limits.MaxRequestHeaderCount = ServerLimits.KestrelRequestHeaderCount;
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton(host);
            builder.Services.AddSingleton(options);
            RestApi.AddServices(builder.Services);
            var app = builder.Build();
            ClientErrorsMiddleware.Use(app);
            // Routing first: forwarding follows from the chosen endpoint's LeaderOnly metadata.
            app.UseRouting();
            ForwardingMiddleware.Use(app, host.Forwarder, options.RequestTimeoutMs);
            EtcdGateway.Map(app);
            RestApi.Map(app);
            RestClusterEndpoints.Map(app);
            MetricsEndpoint.Map(app);
            seams?.ExtraEndpoints?.Invoke(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new DistateServer(app, host, options, loggers);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            loggers.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs until the process is asked to stop (exit code 0) or the node fails for good (exit code 1, after the
    /// failure was logged and every waiting request answered), so a supervisor restarts a failed member from disk.
    /// </summary>
    public async Task<int> RunAsync()
    {
        var shutdown = WaitForShutdownAsync();
        if (await Task.WhenAny(shutdown, Host.Failed).ConfigureAwait(false) == shutdown)
        {
            return 0;
        }

        var failure = await Host.Failed.ConfigureAwait(false);
        await Console.Error.WriteLineAsync($"distate: fatal: {failure.Message}").ConfigureAwait(false);
        return 1;
    }

    /// <summary>Runs until the process is asked to stop.</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
        _loggers.Dispose();
    }
}
