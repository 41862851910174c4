using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Distate.Raft.Tests;

/// <summary>
/// Proves the consensus core stays pure (STYLE.md): the compiled Distate.Raft assembly references no network, file,
/// task, thread, hosting, clock or random-source API. First line: every type and assembly reference in the
/// assembly's metadata, read with System.Reflection.Metadata (what the compiler actually emitted). Second line: the
/// source files, scanned for the same names, so a forbidden use is caught even before it compiles.
/// </summary>
public sealed class PurityTests
{
    private static readonly string[] ForbiddenNamespacePrefixes =
    [
        "System.Net", "System.IO", "System.Threading.Tasks", "Microsoft.Extensions", "System.Security.Cryptography",
        "System.Timers", "System.Diagnostics.Eventing",
    ];

    private static readonly string[] ForbiddenTypes =
    [
        "System.DateTime", "System.DateTimeOffset", "System.TimeProvider", "System.Random", "System.Guid", "System.Environment",
        "System.Diagnostics.Stopwatch", "System.Threading.Thread", "System.Threading.Timer", "System.Threading.ThreadPool",
        "System.Threading.Monitor", "System.Threading.Interlocked", "System.Console", "System.Threading.CancellationToken",
    ];

    private static readonly string[] ForbiddenAssemblyPrefixes =
    [
        "System.Net", "System.IO", "Microsoft.Extensions", "System.Threading.Tasks", "System.Console",
    ];

    [Fact]
    public void The_raft_assembly_references_no_io_clock_random_thread_or_hosting_type()
    {
        var referenced = ReferencedTypeNames(typeof(RaftNode).Assembly.Location);
        Assert.Contains("System.ReadOnlyMemory`1", referenced); // the reader sees real references

        var offending = referenced.Where(IsForbidden).ToList();

        Assert.True(offending.Count == 0, "Distate.Raft references forbidden types: " + string.Join(", ", offending));
    }

    [Fact]
    public void The_raft_assembly_references_no_io_network_or_hosting_assembly()
    {
        using var stream = File.OpenRead(typeof(RaftNode).Assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();

        Assert.NotEmpty(names);
        var offending = names.Where(n => ForbiddenAssemblyPrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.True(offending.Count == 0, "Distate.Raft references forbidden assemblies: " + string.Join(", ", offending));
    }

    [Fact]
    public void The_checker_flags_what_it_must()
    {
        Assert.True(IsForbidden("System.Threading.Tasks.Task"));
        Assert.True(IsForbidden("System.IO.File"));
        Assert.True(IsForbidden("System.DateTime"));
        Assert.True(IsForbidden("System.Random"));
        Assert.True(IsForbidden("Microsoft.Extensions.Logging.ILogger`1"));
        Assert.False(IsForbidden("System.ReadOnlyMemory`1"));
        Assert.False(IsForbidden("System.Collections.Generic.List`1"));
        Assert.False(IsForbidden("System.Runtime.CompilerServices.IsExternalInit"));
    }

    [Fact]
    public void The_raft_sources_name_no_io_clock_random_thread_or_hosting_api()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Distate.Raft");
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 10, $"found only {files.Count} source files under {root}");
        string[] patterns =
        [
            "System.Net", "System.IO", "System.Threading.Tasks", "Microsoft.Extensions", "DateTime.", "DateTimeOffset",
            "Stopwatch", "Environment.TickCount", "new Random(", "Random.Shared", "TimeProvider", "Guid.NewGuid",
            "Thread.Sleep", "Task.", "async ", "await ", "Console.",
        ];

        var hits = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal))
                {
                    continue; // comments and XML docs may mention what the core does not do
                }

                foreach (var pattern in patterns)
                {
                    if (code.Contains(pattern, StringComparison.Ordinal))
                    {
                        hits.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {pattern}");
                    }
                }
            }
        }

        Assert.True(hits.Count == 0, "forbidden API names in Distate.Raft sources:\n" + string.Join("\n", hits));
    }

    private static bool IsForbidden(string fullName) =>
        ForbiddenTypes.Any(t => fullName == t || fullName.StartsWith(t + "+", StringComparison.Ordinal)) ||
        ForbiddenNamespacePrefixes.Any(p => fullName.StartsWith(p + ".", StringComparison.Ordinal));

    private static HashSet<string> ReferencedTypeNames(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            names.Add(FullName(reader, reader.GetTypeReference(handle)));
        }

        return names;
    }

    private static string FullName(MetadataReader reader, TypeReference type)
    {
        var name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            // A nested type: prefix its declaring type.
            return FullName(reader, reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        }

        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>The repository root: walks up from the test binaries to the directory holding Distate.sln.</summary>
    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Distate.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Distate.sln not found above " + AppContext.BaseDirectory);
    }
}
