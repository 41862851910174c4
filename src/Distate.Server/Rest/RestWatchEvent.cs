using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>The <c>data:</c> of one watch event. A delete carries only type, key and mod revision (the delete's revision).</summary>
internal sealed record RestWatchEvent
{
    /// <summary>"put" or "delete"; the SSE event name says the same.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>The key as UTF-8 text, or base64 when key_encoding is "base64".</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>"base64" when the key bytes are not valid UTF-8; absent otherwise.</summary>
    [JsonPropertyName("key_encoding")]
    public string? KeyEncoding { get; init; }

    /// <summary>For a put: the new value as UTF-8 text, or base64 when value_encoding is "base64".</summary>
    [JsonPropertyName("value")]
    public string? Value { get; init; }

    /// <summary>"base64" when the value bytes are not valid UTF-8; absent otherwise.</summary>
    [JsonPropertyName("value_encoding")]
    public string? ValueEncoding { get; init; }

    /// <summary>For a put: the revision that created the key.</summary>
    [JsonPropertyName("create_revision")]
    public long? CreateRevision { get; init; }

    /// <summary>The revision of this change; for a delete, the revision of the delete.</summary>
    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; init; }

    /// <summary>For a put: the key's version after it.</summary>
    [JsonPropertyName("version")]
    public long? Version { get; init; }

    /// <summary>For a put: the attached lease, 0 for none.</summary>
    [JsonPropertyName("lease")]
    public long? Lease { get; init; }
}
