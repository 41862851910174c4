namespace Distate.Store.Mvcc;

/// <summary>The branch a txn takes, decided before any write, and the plans of nested txns in that branch, in order.</summary>
/// <param name="Succeeded">True when every compare held.</param>
/// <param name="Nested">Plans of the nested txns in the taken branch.</param>
internal sealed record TxnPlan(bool Succeeded, IReadOnlyList<TxnPlan> Nested);
