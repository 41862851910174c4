namespace Distate.Server.Api;

/// <summary>
/// A stream-wide progress request in flight: it may be answered only when every watch on the stream has shown that all of
/// its events up to some revision are queued; the answer carries the smallest such revision. Guarded by the stream's lock.
/// Invariant: Waiting &gt; 0 while the round is open.
/// </summary>
internal sealed class ProgressRound
{
    /// <summary>Watches that have not reported yet.</summary>
    public int Waiting { get; private set; }

    /// <summary>The smallest revision reported so far; long.MaxValue when none reported.</summary>
    public long Revision { get; private set; } = long.MaxValue;

    /// <summary>Counts one more watch to wait for.</summary>
    public void Expect() => Waiting++;

    /// <summary>Records a watch's report (null when the watch ended instead); true when the round is complete.</summary>
    public bool Settle(long? revision)
    {
        if (Waiting <= 0)
        {
            throw new InvalidOperationException("a progress round settled more watches than it waited for");
        }

        Waiting--;
        if (revision is { } reported)
        {
            Revision = Math.Min(Revision, reported);
        }

        return Waiting == 0;
    }
}
