using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>GET /v1/status: where this member stands in the cluster.</summary>
public sealed record RestStatus
{
    /// <summary>This member's id (hex).</summary>
    [JsonPropertyName("member_id")] public required string MemberId { get; init; }

    /// <summary>This member's name.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>The leader's id (hex), or null while there is none.</summary>
    [JsonPropertyName("leader")] public string? Leader { get; init; }

    /// <summary>follower, candidate, pre-candidate or leader.</summary>
    [JsonPropertyName("role")] public required string Role { get; init; }

    /// <summary>Current Raft term.</summary>
    [JsonPropertyName("term")] public required ulong Term { get; init; }

    /// <summary>Highest log index known committed.</summary>
    [JsonPropertyName("commit_index")] public required ulong CommitIndex { get; init; }

    /// <summary>Highest log index applied here.</summary>
    [JsonPropertyName("applied_index")] public required ulong AppliedIndex { get; init; }

    /// <summary>Last index in this member's log.</summary>
    [JsonPropertyName("last_index")] public required ulong LastIndex { get; init; }

    /// <summary>Current store revision.</summary>
    [JsonPropertyName("revision")] public required long Revision { get; init; }

    /// <summary>Revisions below this are compacted.</summary>
    [JsonPropertyName("compact_revision")] public required long CompactRevision { get; init; }

    /// <summary>Every member, with replication progress when this member leads.</summary>
    [JsonPropertyName("members")] public required IReadOnlyList<RestMemberStatus> Members { get; init; }
}

/// <summary>One member in <see cref="RestStatus"/>.</summary>
public sealed record RestMemberStatus
{
    /// <summary>Member id (hex).</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    /// <summary>Member name (empty until it has started once).</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Peer URLs.</summary>
    [JsonPropertyName("peer_urls")] public required IReadOnlyList<string> PeerUrls { get; init; }

    /// <summary>Client URLs (empty until it has started once).</summary>
    [JsonPropertyName("client_urls")] public required IReadOnlyList<string> ClientUrls { get; init; }

    /// <summary>True for a non-voting learner.</summary>
    [JsonPropertyName("is_learner")] public required bool IsLearner { get; init; }

    /// <summary>Highest index known replicated to it (only when the answering member leads).</summary>
    [JsonPropertyName("match_index")] public ulong? MatchIndex { get; init; }

    /// <summary>Entries it is behind the leader's last index (only when the answering member leads).</summary>
    [JsonPropertyName("lag")] public ulong? Lag { get; init; }
}
