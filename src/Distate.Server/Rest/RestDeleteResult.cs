using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>The answer to a delete; deleting nothing is not an error (as in etcd), it reports <c>deleted: 0</c>.</summary>
internal sealed record RestDeleteResult
{
    /// <summary>The store revision after the delete; unchanged when nothing was deleted.</summary>
    [JsonPropertyName("revision")]
    public long Revision { get; init; }

    /// <summary>How many keys were deleted (0 when the key did not exist).</summary>
    [JsonPropertyName("deleted")]
    public long Deleted { get; init; }
}
