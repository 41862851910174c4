using System.Diagnostics;
using System.Net;
using Distate.Server.Configuration;

namespace Distate.Server.Tests;

/// <summary>
/// Proves the server program answers a new user's first questions: --help prints every flag with its environment
/// variable and default and exits 0, --version prints the version and exits 0, an unknown flag exits 2 pointing at
/// --help, and GET /version answers like etcd's.
/// </summary>
public sealed class ServerProcessTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "Distate.Server.dll");

    [Fact]
    public async Task Help_lists_every_flag_with_its_environment_variable_and_default()
    {
        var (code, output) = await RunAsync("--help");

        Assert.Equal(0, code);
        foreach (var flag in new[] { "name", "data-dir", "initial-cluster", "max-request-bytes", "disk-reserve-bytes", "request-timeout" })
        {
            Assert.Contains($"--{flag}", output, StringComparison.Ordinal);
            Assert.Contains(ServerOptionsParser.EnvironmentName(flag), output, StringComparison.Ordinal);
        }

        Assert.Contains("Default: 1572864", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_and_an_unknown_flag_exits_2_pointing_at_help()
    {
        var (versionCode, version) = await RunAsync("--version");
        Assert.Equal(0, versionCode);
        Assert.Contains($"distate {ServerVersion.Distate} (etcd API 3.4.0)", version, StringComparison.Ordinal);

        var (unknownCode, unknown) = await RunAsync("--no-such-flag");
        Assert.Equal(2, unknownCode);
        Assert.Contains("unknown flag --no-such-flag", unknown, StringComparison.Ordinal);
        Assert.Contains("--help", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_version_answers_like_etcd()
    {
        await using var member = await LoopbackMember.StartAsync();
        using var response = await member.Client.GetAsync(new Uri("/version", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"etcdserver\":\"3.4.0\"", text, StringComparison.Ordinal);
        Assert.Contains("\"etcdcluster\":\"3.4.0\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"distate\":\"{ServerVersion.Distate}\"", text, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string arguments)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{ServerDll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
