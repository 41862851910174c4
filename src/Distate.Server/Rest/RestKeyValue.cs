using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>One key in a prefix listing: key and value as UTF-8 text, or as base64 with <c>*_encoding: "base64"</c>.</summary>
internal sealed record RestKeyValue
{
    /// <summary>The key as UTF-8 text, or base64 when key_encoding is "base64".</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>"base64" when the key bytes are not valid UTF-8; absent when key is plain text.</summary>
    [JsonPropertyName("key_encoding")]
    public string? KeyEncoding { get; init; }

    /// <summary>The value as UTF-8 text, or base64 when value_encoding is "base64".</summary>
    [JsonPropertyName("value")]
    public required string Value { get; init; }

    /// <summary>"base64" when the value bytes are not valid UTF-8; absent when value is plain text.</summary>
    [JsonPropertyName("value_encoding")]
    public string? ValueEncoding { get; init; }

    /// <summary>Revision of the put that created the key (since its last delete).</summary>
    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; init; }

    /// <summary>Revision of the key's last change; its ETag is this number in quotes.</summary>
    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; init; }

    /// <summary>Number of puts since the key was created.</summary>
    [JsonPropertyName("version")]
    public long Version { get; init; }

    /// <summary>The lease the key is attached to, 0 for none.</summary>
    [JsonPropertyName("lease")]
    public long Lease { get; init; }
}
