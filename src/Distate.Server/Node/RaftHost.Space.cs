using Distate.Node.Requests;
using Distate.Raft;
using Distate.Store;
using Distate.Store.Alarms;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>
/// The space quota and the NOSPACE alarm, as etcd runs them: the door refuses a write that would pass the quota on this
/// member's view and raises the alarm through the log; the replicated alarm then makes every member refuse writes that
/// add bytes at the same entry, until a client disarms it (after compacting or deleting). A write that slipped past the
/// door (many in flight) is refused at apply by the store's own quota check, and the leader raises the alarm then.
/// </summary>
public sealed partial class RaftHost
{
    /// <summary>1 while this member is proposing a NOSPACE alarm (apply task and doors start at most one at a time).</summary>
    private int _raisingNoSpace;

    /// <summary>Refuses a write with "database space exceeded"; when it would pass the quota (rather than meet a raised
    /// alarm), raises this member's NOSPACE alarm first, so the refusal sticks on every member until disarmed.</summary>
    private async Task<StoreResult> RefuseForSpaceAsync(bool exceedsQuota, CancellationToken cancellationToken)
    {
        Metrics.NoSpaceRefusals.Increment();
        if (exceedsQuota)
        {
            await RaiseNoSpaceAsync(cancellationToken).ConfigureAwait(false);
        }

        return StoreError.Create(Store.CurrentRevision, StoreErrorCode.NoSpace);
    }

    /// <summary>Proposes this member's NOSPACE alarm unless one is raised or being raised. A failure (not leader, no quorum)
    /// is only logged: the write is refused anyway, and the next write past the quota tries again.</summary>
    private async Task RaiseNoSpaceAsync(CancellationToken cancellationToken)
    {
        if (Store.IsAlarmRaised(AlarmType.NoSpace) || Interlocked.Exchange(ref _raisingNoSpace, 1) == 1)
        {
            return;
        }

        try
        {
            NodeLog.QuotaExceeded(_logger, Limits.Store.QuotaBytes, Store.UsedBytes);
            await ProposeHousekeepingAsync(new AlarmCommand(AlarmAction.Activate, new AlarmMember(Id.Value, AlarmType.NoSpace)), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException && !_stop.IsCancellationRequested)
        {
            NodeLog.RaiseAlarmFailed(_logger, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _raisingNoSpace, 0);
        }
    }

    private static string Describe(AlarmMember alarm) => $"{alarm.Alarm} of member {alarm.MemberId:x}";

    /// <summary>On the apply task, after each store command: logs applied alarm commands on every member, and on the leader raises
    /// NOSPACE when apply refused a write for the quota that the door let through (never awaited here: the alarm's own
    /// entry is applied by this very task).</summary>
    private void WatchSpace(StoreResult result)
    {
        if (result is AlarmResult { Alarms.Count: > 0 } changed)
        {
            NodeLog.AlarmsChanged(_logger,
                string.Join(", ", changed.Alarms.Select(Describe)), string.Join(", ", Store.Alarms(AlarmType.None).Select(Describe)));
        }

        if (result is StoreError { Code: StoreErrorCode.NoSpace } && Status.Role == StateRole.Leader && !Store.IsAlarmRaised(AlarmType.NoSpace))
        {
            _ = RaiseNoSpaceAsync(_stop.Token);
        }
    }
}
