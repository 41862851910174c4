namespace Distate.Server.Tests.Compat;

/// <summary>
/// A difference between etcd's answer and ours that is accepted, for one case at one path (as
/// <see cref="ShapeDifference.Path"/> prints it), with the reason. Unlisted differences fail the test, and so does a
/// listed one that no longer occurs, so the list always says exactly where we differ.
/// </summary>
/// <param name="Case">The <see cref="CompatCase.Name"/>.</param>
/// <param name="Path">"status", "body", a JSON path such as "kvs[0].version" or "error", or "*" for every difference
/// of the case (when the whole answer differs, e.g. 200 with data against 400 with an error).</param>
/// <param name="Reason">Why we differ: deliberate, or "not yet:" with what is missing.</param>
public sealed record KnownDifference(string Case, string Path, string Reason)
{
    /// <summary>Whether this entry accepts <paramref name="difference"/> in case <paramref name="caseName"/>.</summary>
    public bool Accepts(string caseName, ShapeDifference difference) =>
        Case == caseName && (Path == "*" || Path == difference?.Path);

    /// <summary>Two entries accepting a different "error" and "message" text (same status and code) in one case.</summary>
    public static KnownDifference[] ErrorText(string caseName, string reason) =>
        [new(caseName, "error", reason), new(caseName, "message", reason)];
}
