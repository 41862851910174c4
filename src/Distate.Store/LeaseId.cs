namespace Distate.Store;

/// <summary>The identifier of a lease; zero means "no lease" on a key and "server chooses" on a grant.</summary>
/// <param name="Value">The raw 64-bit id, as etcd's int64 lease id.</param>
public readonly record struct LeaseId(long Value)
{
    /// <summary>No lease.</summary>
    public static readonly LeaseId None = new(0);

    /// <summary>True when this is a real lease id.</summary>
    public bool IsSet => Value != 0;

    /// <summary>Prints the bare number.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
