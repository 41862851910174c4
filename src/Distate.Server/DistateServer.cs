using Distate.Server.Api;
using Distate.Server.Configuration;
using Distate.Server.Forwarding;
using Distate.Server.Metrics;
using Distate.Server.Node;
using Distate.Server.Rest;

namespace Distate.Server;

/// <summary>A running Distate member: the node loop plus the client API on Kestrel. Used by Program and by tests.</summary>
public sealed class DistateServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DistateServer(WebApplication app, RaftHost host, ServerOptions options)
    {
        _app = app;
        Host = host;
        Options = options;
    }

    /// <summary>The node.</summary>
    public RaftHost Host { get; }

    /// <summary>The settings it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>The first client URL actually bound (useful with port 0).</summary>
    public Uri ClientUrl => new(_app.Urls.First());

    /// <summary>Starts a member and its client API; returns once it is listening.</summary>
    public static async Task<DistateServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var host = await RaftHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(options.ListenClientUrls.Select(url => url.ToString()).ToArray());
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton(host);
            builder.Services.AddSingleton(options);
            RestApi.AddServices(builder.Services);
            var app = builder.Build();
            ForwardingMiddleware.Use(app, host.Forwarder, options.RequestTimeoutMs);
            EtcdGateway.Map(app);
            RestApi.Map(app);
            RestClusterEndpoints.Map(app);
            MetricsEndpoint.Map(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new DistateServer(app, host, options);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs until the process is asked to stop.</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
    }
}
