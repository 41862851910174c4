using System.Text;

namespace Distate.Server.Tests;

/// <summary>Reads a text/event-stream as the WHATWG parser does, one frame (up to a blank line) at a time, with a bounded
/// wait so a missing event fails the test instead of hanging it.</summary>
public sealed class SseReader : IDisposable
{
    private readonly StreamReader _reader;

    public SseReader(Stream stream) => _reader = new StreamReader(stream, Encoding.UTF8);

    /// <summary>The next frame, or null when the stream ended. Comment-only frames are returned too (Comments set).</summary>
    public async Task<SseFrame?> ReadFrameAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        string? id = null, type = null, data = null;
        var comments = new List<string>();
        bool any = false;
        while (await _reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseFrame(id, type, data, comments);
                }

                continue;
            }

            any = true;
            if (line.StartsWith(':'))
            {
                comments.Add(line[1..].Trim());
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.Null(data);
                data = line[6..];
            }
            else
            {
                Assert.Fail($"unexpected SSE line '{line}'");
            }
        }

        return null;
    }

    /// <summary>The next frame that is an event (skipping comment-only frames such as keep-alives).</summary>
    public async Task<SseFrame> ReadEventAsync(TimeSpan timeout)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(timeout) ?? throw new Xunit.Sdk.XunitException("the stream ended before the next event");
            if (frame.Event is not null)
            {
                return frame;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
