using Distate.Node.Apply;

namespace Distate.Node.Runtime;

/// <summary>The apply task (the only writer of the state machine) and the snapshot writer beside it.</summary>
public sealed partial class NodeRuntime
{
    /// <summary>The last snapshot's size, so the next one's buffer rarely regrows. Snapshot writer only.</summary>
    private int _lastSnapshotBytes;

    private async Task RunApplierAsync()
    {
        var reader = _applies.Reader;
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                if (_applier.Apply(batch) is { } capture)
                {
                    _snapshotWriter = RunCritical("snapshot writer", () => WriteSnapshotAsync(capture), mayEnd: true);
                }
            }
        }
    }

    /// <summary>Encodes a captured state and stages its file beside the loop, then hands it to the loop to record. A
    /// snapshot the log cannot stage now (a full disk) is skipped; the next one is tried later.</summary>
    private async Task WriteSnapshotAsync(SnapshotCapture capture)
    {
        try
        {
            using var stream = new MemoryStream(_lastSnapshotBytes + (_lastSnapshotBytes / 8) + 4096);
            capture.Source.WriteTo(stream);
            _lastSnapshotBytes = (int)stream.Length;
            var data = new ReadOnlyMemory<byte>(stream.GetBuffer(), 0, (int)stream.Length);
            if (_log.StageSnapshot(capture.Index, capture.ConfState, data) is { } staged)
            {
                await _inputs.Writer.WriteAsync(new RuntimeInput.Staged(staged), _stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _applier.SnapshotFinished();
        }
    }
}
