using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Distate.Store;

/// <summary>Always-on assertions for the store: a broken invariant is a programmer error and crashes loudly, in Release too.</summary>
public static class Invariant
{
    /// <summary>Throws <see cref="InvariantViolationException"/> when the condition is false.</summary>
    public static void Check(
        [DoesNotReturnIf(false)] bool condition,
        string message,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition)
        {
            Fail(message, expression);
        }
    }

    [DoesNotReturn]
    private static void Fail(string message, string? expression) =>
        throw new InvariantViolationException($"invariant violated: {message} ({expression})");
}
