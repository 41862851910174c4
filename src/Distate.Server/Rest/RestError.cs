using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>The JSON body of every REST error: a sentence for people, a stable code for programs, and the numbers behind it.</summary>
internal sealed record RestError
{
    /// <summary>What went wrong, in a sentence a person can act on.</summary>
    [JsonPropertyName("error")]
    public required string Error { get; init; }

    /// <summary>Stable code: bad_request, key_not_found, precondition_failed, compacted, future_revision, too_large, lease_not_found, no_space, too_many_watchers, unavailable, timeout, canceled, disk_full; and for answers no handler writes (<see cref="Http.ApiErrorWriter.RestCodeFor"/>): not_found, method_not_allowed, request_timeout, uri_too_long, unsupported_media_type, headers_too_large, internal.</summary>
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    /// <summary>The store revision when the error was decided, when known.</summary>
    [JsonPropertyName("revision")]
    public long? Revision { get; init; }

    /// <summary>For code compacted: the compact revision; history before it is gone.</summary>
    [JsonPropertyName("compact_revision")]
    public long? CompactRevision { get; init; }

    /// <summary>For code precondition_failed: the key's current mod revision, 0 when the key does not exist.</summary>
    [JsonPropertyName("current_mod_revision")]
    public long? CurrentModRevision { get; init; }

    /// <summary>For code unavailable: the leader's member id in hex, when known.</summary>
    [JsonPropertyName("leader")]
    public string? Leader { get; init; }
}
