namespace Distate.Store.Results;

/// <summary>The answer to a txn.</summary>
/// <param name="Revision">Header revision (one revision for the whole txn when it wrote anything).</param>
/// <param name="Succeeded">True when every compare held and the success branch ran.</param>
/// <param name="Responses">One response per operation of the branch that ran, in order.</param>
public sealed record TxnResult(Revision Revision, bool Succeeded, IReadOnlyList<StoreResult> Responses) : StoreResult(Revision)
{
    /// <inheritdoc/>
    internal override StoreResult WithHeaderRevision(Revision revision)
    {
        var responses = new StoreResult[Responses.Count];
        for (int i = 0; i < responses.Length; i++)
        {
            responses[i] = Responses[i].WithHeaderRevision(revision);
        }

        return this with { Revision = revision, Responses = responses };
    }
}
