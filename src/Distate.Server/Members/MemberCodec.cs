using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Distate.Raft;

namespace Distate.Server.Members;

/// <summary>
/// Encodes membership data for the Raft log and snapshots as small, deterministic JSON documents. Publish entries
/// start with <see cref="PublishTag"/> (a check on what a peer sends to /internal/publish); in the log they travel in an
/// entry envelope of kind MemberPublish, which is what the apply path dispatches on.
/// </summary>
public static class MemberCodec
{
    /// <summary>First byte of a publish entry (store commands start with their format version, 1).</summary>
    public const byte PublishTag = 0xD1;

    /// <summary>Encodes an add-member context.</summary>
    public static byte[] EncodeContext(MemberContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Write(writer =>
        {
            writer.WriteString("name", context.Name);
            WriteUrls(writer, "peerUrls", context.PeerUrls);
        });
    }

    /// <summary>Decodes an add-member context.</summary>
    public static MemberContext DecodeContext(ReadOnlySpan<byte> encoded)
    {
        using var document = Parse(encoded);
        var root = document.RootElement;
        return new MemberContext(root.GetProperty("name").GetString() ?? "", ReadUrls(root, "peerUrls"));
    }

    /// <summary>True when entry data is a publish entry.</summary>
    public static bool IsPublish(ReadOnlySpan<byte> data) => data.Length > 0 && data[0] == PublishTag;

    /// <summary>Encodes a publish entry (tag byte, then JSON).</summary>
    public static byte[] EncodePublish(MemberAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var json = Write(writer =>
        {
            writer.WriteString("id", attributes.Id.Value.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("name", attributes.Name);
            WriteUrls(writer, "clientUrls", attributes.ClientUrls);
        });
        var bytes = new byte[json.Length + 1];
        bytes[0] = PublishTag;
        json.CopyTo(bytes, 1);
        return bytes;
    }

    /// <summary>Decodes a publish entry.</summary>
    public static MemberAttributes DecodePublish(ReadOnlySpan<byte> data)
    {
        if (!IsPublish(data))
        {
            throw new FormatException("not a publish entry");
        }

        using var document = Parse(data[1..]);
        var root = document.RootElement;
        try
        {
            return new MemberAttributes(ReadId(root), root.GetProperty("name").GetString() ?? "", ReadUrls(root, "clientUrls"));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            // The internal publish endpoint hands this any body a client sends: a missing field, a value of the wrong kind,
            // text that is not Unicode, or an id out of range is a malformed entry, never a crash.
            throw new FormatException("malformed publish entry: " + ex.Message, ex);
        }
    }

    /// <summary>Encodes a member list (for snapshots).</summary>
    public static byte[] EncodeMembers(IEnumerable<Member> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var member in members)
            {
                writer.WriteStartObject();
                writer.WriteString("id", member.Id.Value.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("name", member.Name);
                WriteUrls(writer, "peerUrls", member.PeerUrls);
                WriteUrls(writer, "clientUrls", member.ClientUrls);
                writer.WriteBoolean("isLearner", member.IsLearner);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a member list written by <see cref="EncodeMembers"/>.</summary>
    public static IReadOnlyList<Member> DecodeMembers(ReadOnlySpan<byte> encoded)
    {
        using var document = Parse(encoded);
        var members = new List<Member>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            members.Add(new Member(
                ReadId(element), element.GetProperty("name").GetString() ?? "", ReadUrls(element, "peerUrls"),
                ReadUrls(element, "clientUrls"), element.GetProperty("isLearner").GetBoolean()));
        }

        return members;
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteUrls(Utf8JsonWriter writer, string name, IReadOnlyList<Uri> urls)
    {
        writer.WriteStartArray(name);
        foreach (var url in urls)
        {
            writer.WriteStringValue(url.ToString());
        }

        writer.WriteEndArray();
    }

    private static Uri[] ReadUrls(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(url => new Uri(url.GetString() ?? "", UriKind.Absolute)).ToArray();

    private static NodeId ReadId(JsonElement element) =>
        new(ulong.Parse(element.GetProperty("id").GetString() ?? "", NumberStyles.None, CultureInfo.InvariantCulture));

    private static JsonDocument Parse(ReadOnlySpan<byte> encoded)
    {
        try
        {
            return JsonDocument.Parse(encoded.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException("malformed membership record: " + e.Message, e);
        }
    }
}
