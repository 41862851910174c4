namespace Distate.Server.Api;

/// <summary>A refusal with an explicit gRPC code and etcd's message, written as {"error","code","message"}.</summary>
internal sealed class GatewayErrorException(int grpcCode, string message, int? httpStatus = null) : Exception(message)
{
    /// <summary>The gRPC status code (mapped to the HTTP status as etcd's gateway does).</summary>
    public int GrpcCode { get; } = grpcCode;

    /// <summary>The HTTP status when it is not the gRPC code's usual one (a slow body is a 408, not DeadlineExceeded's 504).</summary>
    public int? HttpStatus { get; } = httpStatus;
}
