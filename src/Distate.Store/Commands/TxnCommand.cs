namespace Distate.Store.Commands;

/// <summary>An atomic transaction (etcd TxnRequest): ops are <see cref="RangeCommand"/>, <see cref="PutCommand"/>,
/// <see cref="DeleteRangeCommand"/> or nested <see cref="TxnCommand"/>; all writes share one revision.</summary>
public sealed record TxnCommand : StoreCommand
{
    /// <summary>Guards; all must hold for the success branch.</summary>
    public IReadOnlyList<Compare> Compares { get; init; } = [];

    /// <summary>Ops run when every compare holds.</summary>
    public IReadOnlyList<StoreCommand> Success { get; init; } = [];

    /// <summary>Ops run otherwise.</summary>
    public IReadOnlyList<StoreCommand> Failure { get; init; } = [];
}
