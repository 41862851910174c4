using Distate.Node.Envelope;
using Distate.Raft;
using FASTER.core;

namespace Distate.Server.Node;

/// <summary>
/// Fault-injection seams for tests: what the node calls at the points where production faults happen (a state machine
/// that throws, a disk that refuses writes). Production passes <see cref="None"/>.
/// </summary>
public sealed record NodeSeams
{
    /// <summary>No seams: the production wiring.</summary>
    public static readonly NodeSeams None = new();

    /// <summary>Called on the apply task before each committed store command or publish entry is applied; a throw is an
    /// apply failure.</summary>
    public Action<LogIndex, EntryEnvelope>? BeforeApply { get; init; }

    /// <summary>Builds the FASTER device for the log file (e.g. one that fails writes with ENOSPC).</summary>
    public Func<string, IDevice>? LogDevice { get; init; }

    /// <summary>The clock of the leader's lease countdowns and of auto-compaction (default: <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Maps endpoints of a test's own beside the server's (e.g. a new leader-only operation).</summary>
    public Action<IEndpointRouteBuilder>? ExtraEndpoints { get; init; }

    /// <summary>Reads the free bytes of the file system holding a directory (default: the real free space).</summary>
    public Func<string, long?>? AvailableDiskBytes { get; init; }
}
