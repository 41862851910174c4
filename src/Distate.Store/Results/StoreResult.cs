namespace Distate.Store.Results;

/// <summary>The answer to one applied command or read; <see cref="Errors.StoreError"/> is the failure case.</summary>
/// <param name="Revision">The store revision the answer reflects (etcd's response header revision).</param>
public abstract record StoreResult(Revision Revision)
{
    /// <summary>Returns this result with the header revision replaced (recursively for txns).</summary>
    internal virtual StoreResult WithHeaderRevision(Revision revision) => this with { Revision = revision };
}
