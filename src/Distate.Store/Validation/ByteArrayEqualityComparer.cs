namespace Distate.Store.Validation;

/// <summary>Content equality for byte arrays. Its hash is per-process randomized, so it is only used for membership
/// tests whose answer does not depend on iteration order.</summary>
internal sealed class ByteArrayEqualityComparer : IEqualityComparer<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static readonly ByteArrayEqualityComparer Instance = new();

    /// <summary>True when both arrays hold the same bytes.</summary>
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    /// <summary>A hash of the contents.</summary>
    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
