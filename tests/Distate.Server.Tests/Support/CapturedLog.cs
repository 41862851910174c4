using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Distate.Server.Tests.Support;

/// <summary>An in-memory log provider: every line a member logs, with its exception, for assertions.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Every line so far: level, message, and the exception with its stack when there is one.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Adds this provider to a logging builder.</summary>
    public void AddTo(ILoggingBuilder builder) => builder.AddProvider(this);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
    }
}
