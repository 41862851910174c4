using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Distate.Server.Rest;

/// <summary>
/// The key of a /v1/kv or /v1/watch request: every byte of the path after the prefix, percent-decoded from the raw request
/// target. Decoding the raw target (not the routing path) keeps %2F as a slash inside the key, allows binary keys
/// (%FF) and keeps keys that start with a slash (/v1/kv//registry/a is the key "/registry/a").
/// </summary>
internal static class RestKey
{
    private const int MaxDisplayChars = 128;

    /// <summary>The key bytes after <paramref name="routePrefix"/> (for example "/v1/kv"); empty when nothing follows.</summary>
    public static byte[] FromRequest(HttpRequest request, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string? rawPath = rawTarget is null ? null : PathOf(rawTarget);
        if (rawPath is not null && rawPath.StartsWith(routePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return PercentDecode(Remainder(rawPath, routePrefix));
        }

        // No usable raw target (an absolute-form target, or a path base in front): the routing path, already decoded.
        string path = request.Path.Value ?? string.Empty;
        return path.StartsWith(routePrefix, StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8.GetBytes(Remainder(path, routePrefix))
            : throw RestErrors.BadRequest($"the path must start with {routePrefix}/");
    }

    /// <summary>A key as it appears in error messages: quoted UTF-8 text or base64, cut to a readable length.</summary>
    public static string Display(ReadOnlySpan<byte> key)
    {
        string text = RestJson.Text(key, out string? encoding);
        if (text.Length > MaxDisplayChars)
        {
            text = string.Concat(text.AsSpan(0, MaxDisplayChars), "...");
        }

        return encoding is null ? $"\"{text}\"" : $"(base64) {text}";
    }

    private static string? PathOf(string rawTarget)
    {
        if (!rawTarget.StartsWith('/'))
        {
            return null;
        }

        int query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? rawTarget : rawTarget[..query];
    }

    private static string Remainder(string path, string routePrefix)
    {
        string rest = path[routePrefix.Length..];
        return rest.StartsWith('/') ? rest[1..] : rest.Length == 0 ? rest
            : throw RestErrors.BadRequest($"the path must start with {routePrefix}/");
    }

    private static byte[] PercentDecode(string text)
    {
        var bytes = new List<byte>(text.Length);
        int start = 0;
        while (start < text.Length)
        {
            int percent = text.IndexOf('%', start);
            int plainEnd = percent < 0 ? text.Length : percent;
            bytes.AddRange(Encoding.UTF8.GetBytes(text, start, plainEnd - start));
            if (percent < 0)
            {
                break;
            }

            if (percent + 2 >= text.Length || !IsHex(text[percent + 1]) || !IsHex(text[percent + 2]))
            {
                throw RestErrors.BadRequest("malformed percent-encoding in the key: '%' must be followed by two hex digits");
            }

            bytes.Add((byte)((HexValue(text[percent + 1]) << 4) | HexValue(text[percent + 2])));
            start = percent + 3;
        }

        return bytes.ToArray();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
