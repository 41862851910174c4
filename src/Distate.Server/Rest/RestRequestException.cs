namespace Distate.Server.Rest;

/// <summary>A request the REST API answers with an error: the HTTP status and the JSON body to send. Thrown by parsing and
/// by handlers, caught once in <see cref="RestCall.RunAsync"/>.</summary>
internal sealed class RestRequestException : Exception
{
    /// <summary>Creates the exception for a status and body.</summary>
    public RestRequestException(int status, RestError error)
        : base(error?.Error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Status = status;
        Body = error;
    }

    /// <summary>Creates the exception for a status, body and cause.</summary>
    public RestRequestException(int status, RestError error, Exception inner)
        : base(error?.Error, inner)
    {
        ArgumentNullException.ThrowIfNull(error);
        Status = status;
        Body = error;
    }

    /// <summary>The HTTP status code to answer with.</summary>
    public int Status { get; }

    /// <summary>The JSON body to answer with.</summary>
    public RestError Body { get; }
}
