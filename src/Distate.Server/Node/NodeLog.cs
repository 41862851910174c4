namespace Distate.Server.Node;

/// <summary>The node's log lines, source-generated so a disabled level costs nothing.</summary>
internal static partial class NodeLog
{
    /// <summary>A task of the node failed for good; the member stops and exits.</summary>
    [LoggerMessage(Level = LogLevel.Critical, Message = "distate: fatal: the {Where} failed; this member stops serving and exits so it can be restarted from disk")]
    public static partial void Fatal(ILogger logger, Exception cause, string where);

    /// <summary>After a failure, the loop or apply task did not stop in time.</summary>
    [LoggerMessage(Level = LogLevel.Error, Message = "distate: the node loop or apply task did not stop within {Timeout}; waiting requests end at their deadlines")]
    public static partial void StopTimedOut(ILogger logger, TimeSpan timeout);

    /// <summary>The disk filled up; the reserve was released and the member turned read-only.</summary>
    [LoggerMessage(Level = LogLevel.Error, Message = "distate: disk full; released the {Bytes}-byte disk reserve and reopened the log; this member is read-only until the disk has room")]
    public static partial void DiskFull(ILogger logger, Exception cause, long bytes);

    /// <summary>The member starts (or stays) read-only.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: {Reason}")]
    public static partial void ReadOnly(ILogger logger, string reason);

    /// <summary>The disk has room again; writes are accepted.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: the disk holding '{Directory}' has room again ({Available} bytes free); writes are accepted")]
    public static partial void DiskHasRoom(ILogger logger, string directory, long available);

    /// <summary>A snapshot could not be written for lack of space; the next one is tried later.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: snapshot at index {Index} skipped: {Reason}")]
    public static partial void SnapshotSkipped(ILogger logger, ulong index, string reason);

    /// <summary>Closing the storage that failed raised an error (logged, then ignored: it is being replaced).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: closing the failed log: {Error}")]
    public static partial void CloseFailed(ILogger logger, string error);

    /// <summary>A read-only leader hands leadership to a follower.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: this leader's disk is full; handing leadership to {Target:x}")]
    public static partial void HandOff(ILogger logger, ulong target);

    /// <summary>Auto-compaction is on; how and how often.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "distate: auto-compaction {Policy}, checked every {Interval}")]
    public static partial void AutoCompactionOn(ILogger logger, Compaction.AutoCompactionPolicy policy, TimeSpan interval);

    /// <summary>The leader compacted history for auto-compaction.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "distate: auto-compaction ({Policy}) compacted to revision {Revision}; the store holds {UsedBytes} bytes")]
    public static partial void AutoCompacted(ILogger logger, Compaction.AutoCompactionPolicy policy, long revision, long usedBytes);

    /// <summary>An auto-compaction failed; the next check retries.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: auto-compaction to revision {Revision} failed ({Reason}); retrying at the next check")]
    public static partial void AutoCompactionFailed(ILogger logger, long revision, string reason);

    /// <summary>A write would pass the quota: the member raises the NOSPACE alarm.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: space quota of {QuotaBytes} bytes exceeded ({UsedBytes} used): raising the NOSPACE alarm")]
    public static partial void QuotaExceeded(ILogger logger, long quotaBytes, long usedBytes);

    /// <summary>Proposing the NOSPACE alarm failed; the next write past the quota tries again.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: raising the NOSPACE alarm failed ({Reason}); the next write past the quota tries again")]
    public static partial void RaiseAlarmFailed(ILogger logger, string reason);

    /// <summary>An alarm command raised or disarmed an alarm (logged on every member as it applies).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "distate: alarm command applied to {Changed}; raised now: [{Raised}]")]
    public static partial void AlarmsChanged(ILogger logger, string changed, string raised);
}
