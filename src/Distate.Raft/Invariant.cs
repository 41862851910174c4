using System.Runtime.CompilerServices;

namespace Distate.Raft;

/// <summary>Always-on assertions: a broken invariant is a programmer error and must crash loudly, in Release too.</summary>
public static class Invariant
{
    /// <summary>Throws <see cref="InvariantViolationException"/> when the condition is false.</summary>
    public static void Check(
        [System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition,
        string message,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition)
        {
            Fail(message, expression);
        }
    }

    /// <summary>Fails unconditionally; for use in expressions that must produce a value.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static T Fail<T>(string message) => throw new InvariantViolationException($"invariant violated: {message}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string message, string? expression) =>
        throw new InvariantViolationException($"invariant violated: {message} ({expression})");
}

/// <summary>Thrown when an internal invariant does not hold; never caught by Distate code.</summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvariantViolationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public InvariantViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public InvariantViolationException(string message, Exception inner) : base(message, inner) { }
}
