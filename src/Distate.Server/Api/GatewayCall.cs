using System.Buffers;
using System.Text.Json;
using Distate.Server.Configuration;
using Distate.Server.Node;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>One gateway request: its body, the node, a deadline, and writing etcd-shaped answers.</summary>
internal sealed class GatewayCall
{
    private readonly HttpContext _context;

    /// <summary>Creates the call.</summary>
    public GatewayCall(HttpContext context, RaftHost host, ReadOnlyMemory<byte> body, CancellationToken deadline)
    {
        _context = context;
        Host = host;
        Body = body;
        Deadline = deadline;
    }

    /// <summary>The node.</summary>
    public RaftHost Host { get; }

    /// <summary>The request body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Cancelled when the request timeout passes or the client goes away.</summary>
    public CancellationToken Deadline { get; }

    /// <summary>Replicates a command; a store error becomes an etcd error response (thrown as <see cref="StoreErrorException"/>).</summary>
    public async Task<StoreResult> ProposeAsync(StoreCommand command)
    {
        StoreResult result;
        try
        {
            result = await Host.ProposeAsync(command, Deadline).ConfigureAwait(false);
        }
        catch (WritesRefusedException ex)
        {
            // A full disk: etcd's closest code is ResourceExhausted, as for its own space alarm.
            throw new GatewayErrorException(GrpcCode.ResourceExhausted, ex.Message);
        }

        return result is StoreError error ? throw new StoreErrorException(error) : result;
    }

    /// <summary>Waits for a linearizable read point.</summary>
    public Task ReadBarrierAsync() => Host.ReadBarrierAsync(Deadline);

    /// <summary>Writes {"header": {...}, ...body} with status 200.</summary>
    public Task WriteAsync(StoreResult result, Action<Utf8JsonWriter, StoreResult> body)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result is StoreError error)
        {
            throw new StoreErrorException(error);
        }

        return WriteAsync(result.Revision.Value, writer => body(writer, result));
    }

    /// <summary>Writes {"header": {... revision}, ...body} with status 200.</summary>
    public Task WriteAsync(long revision, Action<Utf8JsonWriter> body) => WriteObjectAsync(writer =>
    {
        WriteHeader(writer, revision);
        body(writer);
    });

    /// <summary>Writes {...body} with status 200 and no header, as etcd 3.4 answers alarm and defragment calls.</summary>
    public async Task WriteObjectAsync(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, EtcdJson.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        _context.Response.ContentType = "application/json";
        await _context.Response.Body.WriteAsync(buffer.WrittenMemory, _context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes one line of a gateway stream, {"result":{"header":{...}, ...body}}, and flushes it.</summary>
    public async Task WriteStreamItemAsync(long revision, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, EtcdJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("result");
            WriteHeader(writer, revision);
            body(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        await WriteRawStreamItemAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>Writes one already-encoded stream line (e.g. relayed from the leader) and flushes it.</summary>
    public async Task WriteRawStreamItemAsync(ReadOnlyMemory<byte> line)
    {
        if (!_context.Response.HasStarted)
        {
            _context.Response.ContentType = "application/json";
        }

        await _context.Response.Body.WriteAsync(line, _context.RequestAborted).ConfigureAwait(false);
        await _context.Response.Body.FlushAsync(_context.RequestAborted).ConfigureAwait(false);
    }

    private void WriteHeader(Utf8JsonWriter writer, long revision) => EtcdJson.Header(writer, Host, revision);
}

/// <summary>A store refusal (compacted revision, lease not found, no space ...) carried to the error writer.</summary>
internal sealed class StoreErrorException(StoreError error) : Exception(error.Message)
{
    /// <summary>The store's error.</summary>
    public StoreError Error { get; } = error;
}
