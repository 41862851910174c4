namespace Distate.Store;

/// <summary>Thrown when an internal invariant of the store does not hold; never caught by Distate code.</summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvariantViolationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public InvariantViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public InvariantViolationException(string message, Exception inner) : base(message, inner) { }
}
