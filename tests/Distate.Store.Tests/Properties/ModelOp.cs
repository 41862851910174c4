namespace Distate.Store.Tests.Properties;

/// <summary>One generated step of a random command sequence.</summary>
public sealed record ModelOp(ModelOpKind Kind, string Key, string? RangeEnd, string Value, int Number, (string Key, string Value)[] Puts)
{
    public override string ToString() => Kind switch
    {
        ModelOpKind.Put => $"put {Key}={Value}",
        ModelOpKind.Delete => $"del {Key}..{RangeEnd}",
        ModelOpKind.Txn => $"txn if version({Key})=={Number} then put {string.Join(",", Puts.Select(p => p.Key + "=" + p.Value))} else del {RangeEnd}",
        ModelOpKind.Compact => $"compact {Number}",
        _ => $"get {Key}..{RangeEnd} rev={Number} limit={Value}",
    };
}

/// <summary>The kinds of generated steps.</summary>
public enum ModelOpKind
{
    Put,
    Delete,
    Txn,
    Compact,
    Read,
}
