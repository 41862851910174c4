using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>The answer to a prefix listing.</summary>
internal sealed record RestKeyValueList
{
    /// <summary>The store's current revision when the listing was read.</summary>
    [JsonPropertyName("revision")]
    public long Revision { get; init; }

    /// <summary>How many keys have the prefix at the read revision, before the limit.</summary>
    [JsonPropertyName("count")]
    public long Count { get; init; }

    /// <summary>True when the limit cut the listing short.</summary>
    [JsonPropertyName("more")]
    public bool More { get; init; }

    /// <summary>The keys in byte order, at most limit of them.</summary>
    [JsonPropertyName("kvs")]
    public required IEnumerable<RestKeyValue> Kvs { get; init; }
}
