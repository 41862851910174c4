using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Distate.Store;

namespace Distate.Server.Http;

/// <summary>
/// Parses a client's JSON the one strict way both APIs share. System.Text.Json accepts a document whose strings hold
/// invalid UTF-8 or an escaped lone surrogate (<c>"\ud800"</c>) and only fails later, when a handler reads the string,
/// with an <see cref="InvalidOperationException"/> that would become a 500. So every string and field name is checked
/// here, once, before any handler sees the document; duplicate fields and nesting deeper than <see cref="MaxDepth"/>
/// are refused too. Every refusal is a <see cref="JsonException"/> whose message a client can act on.
/// </summary>
internal static class StrictJson
{
    /// <summary>Deepest nesting accepted (System.Text.Json's default; etcd's requests nest a few levels at most).</summary>
    public const int MaxDepth = 64;

    private const int StackCopyBytes = 256;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Parses one JSON value whose every string is valid Unicode and whose objects name each field once (the
    /// document parser refuses duplicates too, as a second line).</summary>
    public static JsonElement Parse(ReadOnlyMemory<byte> utf8)
    {
        EnsureValidText(utf8.Span);
        using var document = JsonDocument.Parse(utf8, DocumentOptions);
        return document.RootElement.Clone();
    }

    /// <summary>Throws <see cref="JsonException"/> at the first string or field name that is not valid UTF-8 once unescaped
    /// (invalid bytes, an overlong form, or a lone surrogate), at the first field an object names twice (compared unescaped),
    /// or at the first syntax error.</summary>
    private static void EnsureValidText(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        var fieldsByDepth = new Stack<HashSet<string>>();
        while (reader.Read())
        {
            if (reader.TokenType is (JsonTokenType.String or JsonTokenType.PropertyName) && !IsValidText(ref reader))
            {
                var what = reader.TokenType == JsonTokenType.PropertyName ? "field name" : "string";
                throw new JsonException(
                    $"the {what} at byte {reader.TokenStartIndex} is not valid Unicode text (invalid UTF-8, or an escaped lone surrogate such as \\ud800)");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    fieldsByDepth.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.EndObject:
                    fieldsByDepth.Pop();
                    break;
                case JsonTokenType.PropertyName when !fieldsByDepth.Peek().Add(reader.GetString()!):
                    throw new JsonException($"field \"{reader.GetString()}\" is given twice");
            }
        }
    }

    /// <summary>True when the current token, once unescaped, is valid UTF-8 (so reading it as a string cannot fail).</summary>
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        Invariant.Check(!reader.HasValueSequence, "StrictJson reads contiguous memory only");
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }

        // Unescaping never lengthens a string, so the escaped length bounds the copy.
        int length = reader.ValueSpan.Length;
        byte[]? rented = length > StackCopyBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> copy = rented ?? stackalloc byte[StackCopyBytes];
        try
        {
            return Utf8.IsValid(copy[..reader.CopyString(copy)]);
        }
        catch (InvalidOperationException)
        {
            // CopyString's way of saying the escapes spell a lone surrogate or the bytes are not UTF-8: a verdict, not a fault.
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
