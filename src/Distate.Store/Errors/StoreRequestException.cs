namespace Distate.Store.Errors;

/// <summary>Thrown by calls that return an object rather than a result (watch registration) when the store refuses them.</summary>
public sealed class StoreRequestException : Exception
{
    /// <summary>Creates the exception for a refusal.</summary>
    public StoreRequestException(StoreError error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The typed refusal.</summary>
    public StoreError Error { get; }
}
