using Distate.Server;
using Distate.Server.Configuration;

ServerOptions options;
try
{
    options = ServerOptionsParser.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"distate: {ex.Message}").ConfigureAwait(false);
    return 2;
}

await using var server = await DistateServer.StartAsync(options).ConfigureAwait(false);
Console.WriteLine(
    $"distate: member '{options.Name}' ({server.Host.Id}) serving clients on {string.Join(", ", options.ListenClientUrls)}, " +
    $"data in {Path.GetFullPath(options.DataDir)}");
await server.WaitForShutdownAsync().ConfigureAwait(false);
return 0;
