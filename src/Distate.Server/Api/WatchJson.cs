using System.Buffers;
using System.Text.Json;
using Distate.Server.Node;
using Distate.Store.Watch;

namespace Distate.Server.Api;

/// <summary>Writes the lines of a /v3/watch response stream as etcd 3.4's grpc-gateway does: one {"result":{...}} object
/// per line, fields in protobuf field order, zero fields omitted, a PUT event's type omitted (it is the zero value).</summary>
internal static class WatchJson
{
    /// <summary>Serialises one response as a newline-terminated line.</summary>
    public static ReadOnlyMemory<byte> Line(RaftHost host, WatchResultLine result)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, EtcdJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("result");
            EtcdJson.Header(writer, host, result.HeaderRevision);
            EtcdJson.Int64(writer, "watch_id", result.WatchId);
            EtcdJson.Bool(writer, "created", result.Created);
            EtcdJson.Bool(writer, "canceled", result.Canceled);
            EtcdJson.Int64(writer, "compact_revision", result.CompactRevision);
            if (!string.IsNullOrEmpty(result.CancelReason))
            {
                writer.WriteString("cancel_reason", result.CancelReason);
            }

            WriteEvents(writer, result.Events);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    private static void WriteEvents(Utf8JsonWriter writer, IReadOnlyList<WatchEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("events");
        foreach (var change in events)
        {
            writer.WriteStartObject();
            if (change.Type == WatchEventType.Delete)
            {
                writer.WriteString("type", "DELETE");
            }

            writer.WritePropertyName("kv");
            EtcdJson.KeyValue(writer, change.Kv);
            if (change.PrevKv is { } previous)
            {
                writer.WritePropertyName("prev_kv");
                EtcdJson.KeyValue(writer, previous);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
