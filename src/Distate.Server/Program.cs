using Distate.Server;
using Distate.Server.Configuration;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.Write(ServerOptionsParser.Usage());
    return 0;
}

if (args.Contains("--version"))
{
    Console.WriteLine($"distate {ServerVersion.Distate} (etcd API {ServerVersion.EtcdApi})");
    return 0;
}

ServerOptions options;
try
{
    options = ServerOptionsParser.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"distate: {ex.Message} (distate --help lists every flag)").ConfigureAwait(false);
    return 2;
}

DistateServer server;
try
{
    server = await DistateServer.StartAsync(options).ConfigureAwait(false);
}
catch (Exception ex) when (ex is Distate.Storage.StorageFailedException or Distate.Storage.StorageCorruptionException or Distate.Node.Requests.NodeFailedException or IOException)
{
    await Console.Error.WriteLineAsync($"distate: cannot start: {ex.Message}").ConfigureAwait(false);
    return 1;
}

await using (server.ConfigureAwait(false))
{
    Console.WriteLine(
        $"distate: member '{options.Name}' ({server.Host.Id}) serving clients on {string.Join(", ", options.ListenClientUrls)}, " +
        $"data in {Path.GetFullPath(options.DataDir)}");
    return await server.RunAsync().ConfigureAwait(false);
}
