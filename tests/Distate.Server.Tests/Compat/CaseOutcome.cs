namespace Distate.Server.Tests.Compat;

/// <summary>One case as run against both systems: the bodies actually sent, both answers, and how they differ.</summary>
/// <param name="Case">The case.</param>
/// <param name="EtcdBody">The body sent to etcd (tokens replaced).</param>
/// <param name="DistateBody">The body sent to Distate (tokens replaced).</param>
/// <param name="Etcd">etcd's answer.</param>
/// <param name="Distate">Our answer.</param>
/// <param name="Differences">Each difference with the known-difference entry that accepts it, or null if none does.</param>
public sealed record CaseOutcome(
    CompatCase Case,
    string EtcdBody,
    string DistateBody,
    CompatResponse Etcd,
    CompatResponse Distate,
    IReadOnlyList<(ShapeDifference Difference, KnownDifference? Known)> Differences);
