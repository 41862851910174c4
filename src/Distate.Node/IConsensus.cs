using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node;

/// <summary>
/// The consensus seam the member's services use: replicate an entry, confirm a linearizable read, change membership,
/// and report status and health. <see cref="Runtime.NodeRuntime"/> implements it over Distate's own Raft core; a second
/// engine (DotNext's Raft, issue 15) implements the same interface over its own log and applies entries to the same
/// <see cref="Seams.IStateMachine"/>. How peer messages reach the engine is the engine's own business.
/// </summary>
public interface IConsensus : IAsyncDisposable
{
    /// <summary>The latest status (role, term, leader, commit, membership); safe from any thread.</summary>
    RaftStatus Status { get; }

    /// <summary>The highest log index applied to the state machine; safe from any thread.</summary>
    LogIndex AppliedIndex { get; }

    /// <summary>Why the engine stopped for good; null while it runs.</summary>
    string? FatalError { get; }

    /// <summary>Completes with the failure when the engine fails for good (the process should exit non-zero).</summary>
    Task<NodeFailedException> Failed { get; }

    /// <summary>Starts the engine; returns once what was committed before the start is applied.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Replicates an encoded <see cref="Envelope.EntryEnvelope"/> and returns where it was applied and the
    /// state machine's result; throws <see cref="RequestFailedException"/> when it was refused or its outcome is unknown.</summary>
    Task<(LogIndex Index, object? Result)> ProposeAsync(byte[] data, CancellationToken cancellationToken);

    /// <summary>Completes once a linearizable read may be served from the state machine (leadership confirmed by a
    /// quorum and everything up to the read index applied here).</summary>
    Task ReadBarrierAsync(CancellationToken cancellationToken);

    /// <summary>Replicates a membership change; completes once it is applied here.</summary>
    Task ProposeConfChangeAsync(ConfChange change, CancellationToken cancellationToken);

    /// <summary>Fails the engine for good from outside (a task of the member that must not die alone).</summary>
    void Fail(string where, Exception cause);
}
