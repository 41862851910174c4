using BenchmarkDotNet.Attributes;

namespace Distate.Raft.Bench;

/// <summary>Propose → commit → apply throughput of the pure core on a 3-node in-memory cluster, batched.</summary>
[MemoryDiagnoser]
public class ProposeCommitBenchmark
{
    private const int Batches = 100;
    private InMemoryCluster _cluster = null!;
    private ReadOnlyMemory<byte>[] _batch = [];

    /// <summary>Entries per proposal batch.</summary>
    [Params(100, 1000)]
    public int BatchSize { get; set; }

    /// <summary>Payload bytes per entry.</summary>
    [Params(128)]
    public int PayloadBytes { get; set; }

    /// <summary>Creates the cluster and the payloads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _cluster = new InMemoryCluster(3);
        var payload = new byte[PayloadBytes];
        _batch = Enumerable.Repeat((ReadOnlyMemory<byte>)payload, BatchSize).ToArray();
    }

    /// <summary>Commits 100 batches; reported per entry via OperationsPerInvoke.</summary>
    [Benchmark]
    public void ProposeCommit()
    {
        for (var i = 0; i < Batches; i++)
        {
            _cluster.ProposeAndCommit(_batch);
        }
    }
}
