using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Distate.Store;

namespace Distate.Server.Rest;

/// <summary>Writes the text/event-stream format (WHATWG HTML, "Server-sent events") to a response pipe. JSON data is one
/// line (the serializer escapes line breaks inside strings), so every event has exactly one <c>data:</c> line.</summary>
internal sealed class ServerSentEventWriter : IDisposable
{
    private readonly PipeWriter _output;
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private readonly Utf8JsonWriter _jsonWriter;

    /// <summary>Creates a writer over the response body.</summary>
    public ServerSentEventWriter(PipeWriter output)
    {
        _output = output;
        _jsonWriter = new Utf8JsonWriter(_json, new JsonWriterOptions { Encoder = RestJson.Context.Options.Encoder });
    }

    /// <summary>Writes a comment line (ignored by clients; keeps idle proxies from closing the stream).</summary>
    public void Comment(string text)
    {
        Invariant.Check(text.AsSpan().IndexOfAny('\r', '\n') < 0, "a comment is one line");
        Write(": ");
        Write(text);
        Write("\n\n");
    }

    /// <summary>Writes one event; <paramref name="id"/> null leaves the client's last event id unchanged.</summary>
    public void Event<T>(string? id, string eventType, T data, JsonTypeInfo<T> contract)
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        JsonSerializer.Serialize(_jsonWriter, data, contract);
        Invariant.Check(_json.WrittenSpan.IndexOfAny((byte)'\r', (byte)'\n') < 0, "JSON data is one line");
        if (id is not null)
        {
            Write("id: ");
            Write(id);
            Write("\n");
        }

        Write("event: ");
        Write(eventType);
        Write("\ndata: ");
        _output.Write(_json.WrittenSpan);
        Write("\n\n");
    }

    /// <summary>Sends what was written; waits while the client is slow (the pipe applies backpressure). False when the
    /// client is gone.</summary>
    public async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>Releases the JSON writer (the response pipe belongs to the request).</summary>
    public void Dispose() => _jsonWriter.Dispose();

    private void Write(string text) => Encoding.UTF8.GetBytes(text, _output);
}
