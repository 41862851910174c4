namespace Distate.Server.Api;

/// <summary>
/// Walks a txn's responses in execution order to give each nested response etcd 3.4's header revision: the store revision
/// before the txn until the first op that changed a key, the txn's revision from that op on.
/// </summary>
internal sealed class TxnRevisionCursor
{
    private readonly long _before;
    private readonly long _after;

    /// <summary>Creates a cursor; <paramref name="before"/> equals <paramref name="after"/> for a txn that wrote nothing.</summary>
    public TxnRevisionCursor(long before, long after)
    {
        if (before > after || after - before > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, $"a txn advances the revision at most once (to {after})");
        }

        _before = before;
        _after = after;
    }

    /// <summary>True once an op of the txn changed a key.</summary>
    public bool Changed { get; set; }

    /// <summary>The header revision of the response being written.</summary>
    public long Current => Changed ? _after : _before;
}
