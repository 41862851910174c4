using System.Globalization;
using System.Text.Json;
using Distate.Server.Node;
using Distate.Store;

namespace Distate.Server.Api;

/// <summary>Writes etcd's gateway JSON: snake_case names, base64 bytes, 64-bit integers as strings, zero fields omitted.</summary>
internal static class EtcdJson
{
    /// <summary>Writer settings: compact, and quotes escaped as \" like Go's encoder rather than \u0022.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes an int64 as a string, omitted when zero (proto3 JSON).</summary>
    public static void Int64(Utf8JsonWriter writer, string name, long value)
    {
        if (value != 0)
        {
            writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes a uint64 as a string, omitted when zero.</summary>
    public static void UInt64(Utf8JsonWriter writer, string name, ulong value)
    {
        if (value != 0)
        {
            writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes bytes as base64, omitted when empty.</summary>
    public static void Bytes(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            writer.WriteBase64String(name, value);
        }
    }

    /// <summary>Writes a boolean, omitted when false.</summary>
    public static void Bool(Utf8JsonWriter writer, string name, bool value)
    {
        if (value)
        {
            writer.WriteBoolean(name, true);
        }
    }

    /// <summary>Writes an mvccpb.KeyValue object.</summary>
    public static void KeyValue(Utf8JsonWriter writer, KeyValue kv)
    {
        writer.WriteStartObject();
        Bytes(writer, "key", kv.Key.Span);
        Int64(writer, "create_revision", kv.CreateRevision.Value);
        Int64(writer, "mod_revision", kv.ModRevision.Value);
        Int64(writer, "version", kv.Version);
        Bytes(writer, "value", kv.Value.Span);
        Int64(writer, "lease", kv.Lease.Value);
        writer.WriteEndObject();
    }

    /// <summary>Writes an etcdserverpb.ResponseHeader ("header") for this member at a store revision (omitted when zero).</summary>
    public static void Header(Utf8JsonWriter writer, RaftHost host, long revision)
    {
        var status = host.Status;
        writer.WriteStartObject("header");
        UInt64(writer, "cluster_id", host.ClusterId);
        UInt64(writer, "member_id", host.Id.Value);
        Int64(writer, "revision", revision);
        UInt64(writer, "raft_term", status.Term.Value);
        writer.WriteEndObject();
    }
}
