using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Distate.Store;
using Distate.Store.Watch;

namespace Distate.Server.Rest;

/// <summary>How bytes become JSON in the REST API: UTF-8 text when the bytes are valid UTF-8, else base64 with an
/// "base64" encoding marker; non-ASCII text is written as is rather than as \u escapes.</summary>
internal static class RestJson
{
    /// <summary>The marker written in <c>key_encoding</c> / <c>value_encoding</c> for base64 content.</summary>
    public const string Base64Encoding = "base64";

    /// <summary>The contracts with relaxed escaping (readable non-ASCII; control characters and quotes still escaped).</summary>
    public static readonly RestJsonContext Context = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Request bodies: a misspelt or repeated field is refused (400), never silently ignored or overwritten.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    });

    /// <summary>Bytes as a JSON string: the UTF-8 text, or base64 with <paramref name="encoding"/> set to "base64".</summary>
    public static string Text(ReadOnlySpan<byte> bytes, out string? encoding)
    {
        if (Utf8.IsValid(bytes))
        {
            encoding = null;
            return Encoding.UTF8.GetString(bytes);
        }

        encoding = Base64Encoding;
        return Convert.ToBase64String(bytes);
    }

    /// <summary>A stored key-value as a listing entry.</summary>
    public static RestKeyValue KeyValue(KeyValue kv)
    {
        ArgumentNullException.ThrowIfNull(kv);
        return new RestKeyValue
        {
            Key = Text(kv.Key.Span, out var keyEncoding),
            KeyEncoding = keyEncoding,
            Value = Text(kv.Value.Span, out var valueEncoding),
            ValueEncoding = valueEncoding,
            CreateRevision = kv.CreateRevision.Value,
            ModRevision = kv.ModRevision.Value,
            Version = kv.Version,
            Lease = kv.Lease.Value,
        };
    }

    /// <summary>Converts lazily, so a long listing is serialized entry by entry rather than copied whole first.</summary>
    public static IEnumerable<RestKeyValue> KeyValues(IReadOnlyList<KeyValue> kvs)
    {
        ArgumentNullException.ThrowIfNull(kvs);
        for (int i = 0; i < kvs.Count; i++)
        {
            yield return KeyValue(kvs[i]);
        }
    }

    /// <summary>A store watch event as the data of one SSE event; a delete carries only key and revision.</summary>
    public static RestWatchEvent WatchEvent(WatchEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var kv = change.Kv;
        var key = Text(kv.Key.Span, out var keyEncoding);
        if (change.Type == WatchEventType.Delete)
        {
            return new RestWatchEvent { Type = "delete", Key = key, KeyEncoding = keyEncoding, ModRevision = kv.ModRevision.Value };
        }

        return new RestWatchEvent
        {
            Type = "put",
            Key = key,
            KeyEncoding = keyEncoding,
            Value = Text(kv.Value.Span, out var valueEncoding),
            ValueEncoding = valueEncoding,
            CreateRevision = kv.CreateRevision.Value,
            ModRevision = kv.ModRevision.Value,
            Version = kv.Version,
            Lease = kv.Lease.Value,
        };
    }
}
