using System.Collections.Concurrent;

namespace Distate.Transport.Tests.Support;

/// <summary>A transport log that keeps every event and lets a test await one matching a condition.</summary>
internal sealed class RecordingLog : ITransportLog, IDisposable
{
    private readonly ConcurrentQueue<(TransportLogLevel Level, string Message)> _events = new();
    private readonly SemaphoreSlim _written = new(0, int.MaxValue);

    /// <summary>Every event so far.</summary>
    public IReadOnlyCollection<(TransportLogLevel Level, string Message)> Events => _events;

    /// <inheritdoc />
    public void Write(TransportLogLevel level, string message, Exception? exception = null)
    {
        _events.Enqueue((level, message));
        _written.Release();
    }

    /// <inheritdoc />
    public void Dispose() => _written.Dispose();

    /// <summary>Waits (bounded by the deadline) until an event of the level contains the text; returns it.</summary>
    public async Task<string> WaitForAsync(TransportLogLevel level, string text, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            foreach (var (eventLevel, message) in _events)
            {
                if (eventLevel == level && message.Contains(text, StringComparison.Ordinal))
                {
                    return message;
                }
            }

            await _written.WaitAsync(timeout.Token);
        }
    }
}
