namespace Distate.Store.Commands;

/// <summary>Helpers for etcd's range-end conventions.</summary>
public static class KeyRanges
{
    /// <summary>The range end meaning "every key from the start key on".</summary>
    public static byte[] FromKey => [0];

    /// <summary>The range end covering every key with the given prefix (etcd's GetPrefixRangeEnd).</summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                byte[] end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return [0];
    }
}
