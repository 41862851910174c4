using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Distate.Server.Tests;

/// <summary>
/// A /v3/watch stream held the way curl -N -T - holds it: a raw HTTP/1.1 request whose chunked body stays open, so request
/// messages can be sent while response lines are read (HttpClient cannot: over HTTP/1.1 it sends the whole body before
/// reading the response). Every read has a deadline, so a missing line fails the test instead of hanging it.
/// </summary>
internal sealed class WatchClient : IAsyncDisposable
{
    private static readonly TimeSpan LineDeadline = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _closed = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _body = new();
    private int _start;
    private int _end;
    private bool _chunked;
    private long _contentLeft;
    private bool _bodyEnded;

    private WatchClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode Status { get; private set; }

    /// <summary>Opens a stream whose first message is <paramref name="firstMessage"/> (and, if asked, ends the body right
    /// after it); returns once the response status and headers arrived. Any request with a chunked body can be sent this
    /// way (<paramref name="method"/>, <paramref name="path"/>), e.g. one whose body stalls.</summary>
    public static async Task<WatchClient> OpenAsync(
        Uri baseAddress, string firstMessage, bool endRequests = false, string path = "/v3/watch", string method = "POST")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var client = new WatchClient(tcp);
        var head = $"{method} {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        client._stream.Write(Encoding.ASCII.GetBytes(head));
        client.Send(firstMessage);
        if (endRequests)
        {
            client.EndRequests();
        }

        using var deadline = client.Deadline();
        await client.ReadHeadAsync(deadline.Token);
        return client;
    }

    /// <summary>Sends one more request message as a chunk of the open body.</summary>
    public void Send(string message) => Send(Encoding.UTF8.GetBytes(message + "\n"));

    /// <summary>Sends raw bytes as a chunk of the open body (for messages no .NET string can spell, such as invalid UTF-8).</summary>
    public void Send(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _stream.Write(Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
        _stream.Write(data);
        _stream.Write("\r\n"u8);
    }

    /// <summary>Ends the request body (the client has nothing more to say; the stream stays open).</summary>
    public void EndRequests() => _stream.Write("0\r\n\r\n"u8);

    /// <summary>The whole next line of the response body, parsed (an error body without a newline counts as a line).</summary>
    public async Task<JsonElement> NextLineAsync()
    {
        using var deadline = Deadline();
        while (true)
        {
            var pending = _body.GetBuffer().AsSpan(0, (int)_body.Length);
            int newline = pending.IndexOf((byte)'\n');
            if (newline >= 0 || (_bodyEnded && pending.Length > 0))
            {
                int take = newline >= 0 ? newline : pending.Length;
                using var document = JsonDocument.Parse(pending[..take].ToArray());
                var rest = pending[Math.Min(pending.Length, take + 1)..].ToArray();
                _body.SetLength(0);
                _body.Write(rest);
                return document.RootElement.Clone();
            }

            Assert.False(_bodyEnded, "the response ended before another line arrived");
            await ReadBodyPieceAsync(deadline.Token);
        }
    }

    /// <summary>Reads until the response body ends with its last chunk; fails if the connection breaks first (a reset is not
    /// an ending).</summary>
    public async Task WaitForEndAsync()
    {
        using var deadline = Deadline();
        while (!_bodyEnded)
        {
            await ReadBodyPieceAsync(deadline.Token);
        }
    }

    /// <summary>The "result" of the next line.</summary>
    public async Task<JsonElement> NextAsync() => (await NextLineAsync()).GetProperty("result");

    /// <summary>Drops the connection without a goodbye, as a crashed client would.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        _tcp.Client.Close(0);
        _tcp.Dispose();
        _body.Dispose();
        _closed.Dispose();
    }

    private CancellationTokenSource Deadline()
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        deadline.CancelAfter(LineDeadline);
        return deadline;
    }

    private async Task ReadHeadAsync(CancellationToken cancellationToken)
    {
        var status = await ReadLineAsync(cancellationToken);
        Status = (HttpStatusCode)int.Parse(status.Split(' ')[1], CultureInfo.InvariantCulture);
        while ((await ReadLineAsync(cancellationToken)) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var name = header[..colon].Trim();
            var value = header[(colon + 1)..].Trim();
            _chunked |= name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                _contentLeft = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        _bodyEnded = !_chunked && _contentLeft == 0;
    }

    /// <summary>Decodes the next piece of the body (one chunk, or what has arrived of a sized body) into the pending text.</summary>
    private async Task ReadBodyPieceAsync(CancellationToken cancellationToken)
    {
        if (!_chunked)
        {
            var piece = await ReadSomeAsync((int)Math.Min(_contentLeft, _buffer.Length), cancellationToken);
            _contentLeft -= piece.Length;
            _body.Write(piece);
            _bodyEnded = _contentLeft == 0;
            return;
        }

        int size = int.Parse(await ReadLineAsync(cancellationToken), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        int left = size;
        while (left > 0)
        {
            var piece = await ReadSomeAsync(left, cancellationToken);
            _body.Write(piece);
            left -= piece.Length;
        }

        await ReadLineAsync(cancellationToken);
        _bodyEnded = size == 0;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            var piece = await ReadSomeAsync(1, cancellationToken);
            if (piece[0] == (byte)'\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)piece[0]);
        }
    }

    /// <summary>Between 1 and <paramref name="most"/> bytes from the connection.</summary>
    private async Task<byte[]> ReadSomeAsync(int most, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, cancellationToken);
            Assert.True(_end > 0, "the server closed the connection");
        }

        int take = Math.Min(most, _end - _start);
        var piece = _buffer.AsSpan(_start, take).ToArray();
        _start += take;
        return piece;
    }
}
