using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distate.Server.Tests.Compat;

/// <summary>
/// A real single-member etcd (the `etcd` binary on PATH, meant to be 3.4) on free loopback ports with its data in a
/// temporary directory, started for a test and killed with its data afterwards. Missing etcd is a failure that says
/// how to install it, never a skip: the comparison is the point of the tests that use this.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    /// <summary>What to tell a developer whose machine lacks etcd.</summary>
    public const string InstallHint = "etcd 3.4 is needed on PATH for the etcd compatibility tests: apt-get update && apt-get install -y etcd-server";

    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(30);
    private const int MaxLogLines = 200;

    private readonly Process _process;
    private readonly string _dataDir;
    private readonly Queue<string> _log = new();

    private EtcdProcess(Process process, string dataDir, Uri clientUrl)
    {
        _process = process;
        _dataDir = dataDir;
        ClientUrl = clientUrl;
    }

    /// <summary>Where etcd serves clients, e.g. http://127.0.0.1:41234.</summary>
    public Uri ClientUrl { get; }

    /// <summary>The last lines etcd wrote, for failure messages.</summary>
    public string LogTail
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts etcd and returns once it answers /v3/maintenance/status with a leader.</summary>
    public static async Task<EtcdProcess> StartAsync()
    {
        var binary = FindOnPath("etcd") ?? throw new InvalidOperationException(InstallHint);
        var dataDir = Path.Combine(Path.GetTempPath(), "distate-etcd-" + Guid.NewGuid().ToString("N"));
        var clientAddress = $"http://127.0.0.1:{Cluster.LoopbackCluster.FreePort()}";
        var peerUrl = $"http://127.0.0.1:{Cluster.LoopbackCluster.FreePort()}";
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--name", "compat", "--data-dir", dataDir, "--logger", "zap",
            "--listen-client-urls", clientAddress, "--advertise-client-urls", clientAddress,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"compat={peerUrl}", "--initial-cluster-state", "new",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var etcd = new EtcdProcess(process, dataDir, new Uri(clientAddress));
        process.OutputDataReceived += (_, e) => etcd.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => etcd.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await etcd.WaitUntilReadyAsync();
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }

        _process.Dispose();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = ClientUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyDeadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode} while starting:\n{LogTail}");
            }

            try
            {
                using var content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri("/v3/maintenance/status", UriKind.Relative), content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && text.Contains("\"leader\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"etcd did not elect itself leader within {ReadyDeadline.TotalSeconds} s:\n{LogTail}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
