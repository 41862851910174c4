namespace Distate.Server.Api;

/// <summary>A refusal with an explicit gRPC code and etcd's message, written as {"error","code","message"}.</summary>
internal sealed class GatewayErrorException(int grpcCode, string message) : Exception(message)
{
    /// <summary>The gRPC status code (mapped to the HTTP status as etcd's gateway does).</summary>
    public int GrpcCode { get; } = grpcCode;
}
