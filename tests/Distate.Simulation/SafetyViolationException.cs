namespace Distate.Simulation;

/// <summary>A Raft safety property or the linearizability of the client history was violated.</summary>
public sealed class SafetyViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SafetyViolationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public SafetyViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public SafetyViolationException(string message, Exception inner) : base(message, inner) { }
}
