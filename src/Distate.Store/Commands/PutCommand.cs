namespace Distate.Store.Commands;

/// <summary>Writes a key (etcd PutRequest).</summary>
public sealed record PutCommand : StoreCommand
{
    /// <summary>The key to write.</summary>
    public required byte[] Key { get; init; }

    /// <summary>The value to write (must be empty with <see cref="IgnoreValue"/>).</summary>
    public byte[] Value { get; init; } = [];

    /// <summary>Lease to attach; none detaches (must be none with <see cref="IgnoreLease"/>).</summary>
    public LeaseId Lease { get; init; }

    /// <summary>Return the previous key-value.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Keep the current value (the key must exist).</summary>
    public bool IgnoreValue { get; init; }

    /// <summary>Keep the current lease (the key must exist).</summary>
    public bool IgnoreLease { get; init; }
}
