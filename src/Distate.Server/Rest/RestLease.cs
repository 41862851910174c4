using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>A lease as the REST API shows it.</summary>
public sealed record RestLease
{
    /// <summary>Lease id (decimal, as etcd prints it).</summary>
    [JsonPropertyName("id")] public required long Id { get; init; }

    /// <summary>TTL given at grant, seconds.</summary>
    [JsonPropertyName("granted_ttl_seconds")] public required long GrantedTtlSeconds { get; init; }

    /// <summary>Seconds left (the leader's countdown; on a follower, as of the last checkpoint).</summary>
    [JsonPropertyName("ttl_seconds")] public required long TtlSeconds { get; init; }

    /// <summary>Keys attached (UTF-8; only on GET /v1/leases/{id}).</summary>
    [JsonPropertyName("keys")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Keys { get; init; }
}

/// <summary>POST /v1/leases body.</summary>
public sealed record RestLeaseGrant
{
    /// <summary>Requested TTL in seconds (raised to the minimum of 1.5 election timeouts).</summary>
    [JsonPropertyName("ttl_seconds")] public long TtlSeconds { get; init; }

    /// <summary>Optional client-chosen id; 0 lets the server choose.</summary>
    [JsonPropertyName("id")] public long Id { get; init; }
}
