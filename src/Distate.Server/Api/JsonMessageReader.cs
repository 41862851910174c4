using System.Text.Json;
using Distate.Server.Http;

namespace Distate.Server.Api;

/// <summary>
/// Splits a request body into consecutive JSON values as Go's json.Decoder does for etcd's streaming gateway: values may be
/// separated by whitespace or nothing. Tokenising is incremental (the reader state carries over between reads), so a
/// message arriving in many small pieces is scanned once. Invariant: _start &lt;= _start + _scanned &lt;= _end &lt;= buffer length.
/// </summary>
internal sealed class JsonMessageReader
{
    private const int ChunkBytes = 16 * 1024;
    private const int ScanMaxDepth = 4096;
    private readonly Stream _source;
    private readonly int _maxMessageBytes;
    private readonly string _message;
    private byte[] _buffer = new byte[ChunkBytes];
    private int _start;
    private int _end;
    private int _scanned;
    private JsonReaderState _state = NewScan();
    private bool _ended;

    /// <summary>Creates a reader over a body; each message (with leading whitespace) may be at most <paramref name="maxMessageBytes"/>.</summary>
    public JsonMessageReader(Stream source, int maxMessageBytes, string message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        _source = source;
        _maxMessageBytes = maxMessageBytes;
        _message = message;
    }

    /// <summary>True once the whole body has been read.</summary>
    public bool BodyEnded => _ended;

    /// <summary>The next value, or null once the body ended cleanly. Throws <see cref="BadRequestException"/> for malformed
    /// JSON, a value cut off by the end of the body, or a value over the size limit; the stream cannot be read on after that.
    /// Throws <see cref="InvalidMessageException"/> for a whole value whose content is refused (text that is not Unicode, a
    /// duplicate field, too deep): the reader has moved past it, so the next call reads the next message.</summary>
    public async ValueTask<JsonElement?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_ended && OnlyWhitespaceLeft())
            {
                return null;
            }

            if (TryTakeValue(out JsonElement value))
            {
                return value;
            }

            if (_ended)
            {
                throw new BadRequestException($"malformed JSON in {_message}: the request body ended inside a value");
            }

            if (_end - _start > _maxMessageBytes)
            {
                throw new BadRequestException($"etcdserver: request is too large (one {_message} is limited to {_maxMessageBytes} bytes)");
            }

            MakeRoom();
            int read = await _source.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            _ended = read == 0;
            _end += read;
        }
    }

    private bool TryTakeValue(out JsonElement value)
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start + _scanned, _end - _start - _scanned), _ended, _state);
        bool complete = false;
        try
        {
            while (!complete && reader.Read())
            {
                complete = reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
            }
        }
        catch (JsonException ex)
        {
            throw new BadRequestException($"malformed JSON in {_message}: {ex.Message}", ex);
        }

        _scanned += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        if (!complete)
        {
            value = default;
            return false;
        }

        // The value is whole: step past it before judging its content, so a refused message leaves the reader at the next.
        var whole = _buffer.AsMemory(_start, _scanned);
        _start += _scanned;
        _scanned = 0;
        _state = NewScan();
        try
        {
            value = StrictJson.Parse(whole);
        }
        catch (JsonException ex)
        {
            throw new InvalidMessageException($"{_message} refused: {ex.Message}", ex);
        }

        return true;
    }

    /// <summary>Scanning only finds where a message ends, so it tolerates nesting far deeper than a request may have: a
    /// message nested past <see cref="StrictJson.MaxDepth"/> is then refused alone, and the stream reads on.</summary>
    private static JsonReaderState NewScan() => new(new JsonReaderOptions { MaxDepth = ScanMaxDepth });

    private bool OnlyWhitespaceLeft()
    {
        foreach (byte b in _buffer.AsSpan(_start, _end - _start))
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves unconsumed bytes to the front and grows the buffer (never past the limit plus one chunk) so a read has room.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < ChunkBytes / 4)
        {
            int size = (int)Math.Min((long)_buffer.Length * 2, (long)_maxMessageBytes + ChunkBytes);
            if (size <= _buffer.Length)
            {
                throw new InvalidOperationException("the message buffer cannot grow although the message is within its limit");
            }

            Array.Resize(ref _buffer, size);
        }
    }
}
