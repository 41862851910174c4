namespace Distate.Store.Commands;

/// <summary>Deletes a key or range (etcd DeleteRangeRequest), with the same range conventions as <see cref="RangeCommand"/>.</summary>
public sealed record DeleteRangeCommand : StoreCommand
{
    /// <summary>First key of the range.</summary>
    public required byte[] Key { get; init; }

    /// <summary>Exclusive end; empty deletes one key, "\0" every key from Key on.</summary>
    public byte[] RangeEnd { get; init; } = [];

    /// <summary>Return the deleted key-values.</summary>
    public bool PrevKv { get; init; }
}
