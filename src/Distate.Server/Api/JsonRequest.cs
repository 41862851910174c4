using System.Globalization;
using System.Text.Json;
using Distate.Server.Http;

namespace Distate.Server.Api;

/// <summary>
/// Strict reading of an etcd gateway request body (proto3 JSON): bytes are base64, 64-bit integers may be numbers
/// or strings, enums are names or numbers, unknown fields are refused, and so is a field given twice (also under its two
/// proto3 names, <c>prev_kv</c> and <c>prevKv</c>) — each mistake a <see cref="BadRequestException"/> naming the field.
/// Text that is not valid Unicode is refused when the body is parsed (<see cref="StrictJson"/>).
/// </summary>
internal sealed class JsonRequest
{
    private readonly JsonElement _root;
    private readonly string _message;

    private JsonRequest(JsonElement root, string message)
    {
        _root = root;
        _message = message;
    }

    /// <summary>Parses a body (empty means "{}") and refuses fields not in <paramref name="known"/>.</summary>
    public static JsonRequest Parse(ReadOnlyMemory<byte> body, string message, params string[] known)
    {
        JsonElement root;
        try
        {
            root = StrictJson.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        }
        catch (JsonException ex)
        {
            throw new BadRequestException($"malformed JSON in {message}: {ex.Message}", ex);
        }

        return From(root, message, known);
    }

    /// <summary>Wraps an element already parsed (e.g. a nested request in a txn).</summary>
    public static JsonRequest From(JsonElement root, string message, params string[] known)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException($"{message} must be a JSON object");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            // proto3 JSON accepts a field's lowerCamelCase name as well as its original snake_case name.
            var field = System.Array.IndexOf(known, property.Name) >= 0 ? property.Name : SnakeCase(property.Name);
            if (System.Array.IndexOf(known, field) < 0)
            {
                throw new BadRequestException($"unknown field \"{property.Name}\" in {message}");
            }

            if (!seen.Add(field))
            {
                throw new BadRequestException($"field \"{field}\" is given twice in {message}");
            }
        }

        return new JsonRequest(root, message);
    }

    /// <summary>A bytes field (base64), empty when absent.</summary>
    public byte[] Bytes(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Bad(name, "must be a base64 string");
        }

        try
        {
            return Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException ex)
        {
            throw new BadRequestException($"field \"{name}\" in {_message} is not valid base64", ex);
        }
    }

    /// <summary>A 64-bit integer field (number or decimal string), 0 when absent.</summary>
    public long Int64(string name)
    {
        if (!TryGet(name, out var value))
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String &&
            long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw Bad(name, "must be a 64-bit integer (a number or a decimal string)");
    }

    /// <summary>An unsigned 64-bit integer field (number or decimal string), 0 when absent (member ids use the full range).</summary>
    public ulong UInt64(string name)
    {
        if (!TryGet(name, out var value))
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String &&
            ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw Bad(name, "must be an unsigned 64-bit integer (a number or a decimal string)");
    }

    /// <summary>A boolean field, false when absent.</summary>
    public bool Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(name, "must be true or false"),
        };
    }

    /// <summary>An enum field given by name or number.</summary>
    public int Enum(string name, params string[] names)
    {
        if (!TryGet(name, out var value))
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0 && number < names.Length)
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && System.Array.IndexOf(names, value.GetString()) is var index and >= 0)
        {
            return index;
        }

        throw Bad(name, $"must be one of {string.Join(", ", names)}");
    }

    /// <summary>An array field's elements, empty when absent.</summary>
    public IEnumerable<JsonElement> Elements(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : throw Bad(name, "must be an array");
    }

    /// <summary>An object field, if present.</summary>
    public bool TryObject(string name, out JsonElement value) => TryGet(name, out value) && value.ValueKind == JsonValueKind.Object;

    private bool TryGet(string name, out JsonElement value) =>
        (_root.TryGetProperty(name, out value) || (name.Contains('_', StringComparison.Ordinal) && _root.TryGetProperty(CamelCase(name), out value)))
        && value.ValueKind != JsonValueKind.Null;

    /// <summary>prevKv → prev_kv (the proto field name for a JSON name).</summary>
    private static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                builder.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>prev_kv → prevKv (the JSON name for a proto field name).</summary>
    private static string CamelCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length);
        var upper = false;
        foreach (var c in name)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    private BadRequestException Bad(string name, string problem) => new($"field \"{name}\" in {_message} {problem}");
}
