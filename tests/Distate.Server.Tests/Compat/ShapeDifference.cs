namespace Distate.Server.Tests.Compat;

/// <summary>One way our answer differs from etcd's.</summary>
/// <param name="Path">"status", "body", or a JSON path such as "header.revision" or "kvs[1].key".</param>
/// <param name="Etcd">What etcd answered there (a value, a kind, or "absent").</param>
/// <param name="Distate">What we answered there.</param>
public sealed record ShapeDifference(string Path, string Etcd, string Distate)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: etcd {Etcd}, Distate {Distate}";
}
