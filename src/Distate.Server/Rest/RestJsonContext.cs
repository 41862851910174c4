using System.Text.Json.Serialization;

namespace Distate.Server.Rest;

/// <summary>Compile-time JSON contracts for every REST body (no reflection on the request path). Null fields are left
/// out, so optional fields such as <c>key_encoding</c> appear only when they say something.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RestError))]
[JsonSerializable(typeof(RestKeyValueList))]
[JsonSerializable(typeof(RestPutResult))]
[JsonSerializable(typeof(RestDeleteResult))]
[JsonSerializable(typeof(RestWatchEvent))]
[JsonSerializable(typeof(RestStatus))]
[JsonSerializable(typeof(RestLease))]
[JsonSerializable(typeof(RestLease[]))]
[JsonSerializable(typeof(RestLeaseGrant))]
internal sealed partial class RestJsonContext : JsonSerializerContext;
