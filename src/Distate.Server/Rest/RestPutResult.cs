using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>The answer to a write: the key's metadata after it (its value is what was sent).</summary>
internal sealed record RestPutResult
{
    /// <summary>The store revision of the write; also the key's new mod revision.</summary>
    [JsonPropertyName("revision")]
    public long Revision { get; init; }

    /// <summary>True when the write created the key (status 201), false when it replaced a value (status 200).</summary>
    [JsonPropertyName("created")]
    public bool Created { get; init; }

    /// <summary>The key as UTF-8 text, or base64 when key_encoding is "base64".</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>"base64" when the key bytes are not valid UTF-8; absent otherwise.</summary>
    [JsonPropertyName("key_encoding")]
    public string? KeyEncoding { get; init; }

    /// <summary>Revision of the put that created the key.</summary>
    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; init; }

    /// <summary>The key's new mod revision; the ETag header carries it too.</summary>
    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; init; }

    /// <summary>Number of puts since the key was created, this one included.</summary>
    [JsonPropertyName("version")]
    public long Version { get; init; }

    /// <summary>The lease the key is now attached to, 0 for none.</summary>
    [JsonPropertyName("lease")]
    public long Lease { get; init; }
}
