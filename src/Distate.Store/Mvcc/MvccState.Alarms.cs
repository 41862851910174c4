using Distate.Store.Alarms;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Alarms (etcd's alarm store) and the space they guard: while NOSPACE is raised, every command that would add
/// bytes is refused, so all members refuse the same writes from the same log entry on, whatever their local view.</summary>
internal sealed partial class MvccState
{
    /// <summary>Every raised alarm.</summary>
    public AlarmTable Alarms { get; } = new();

    /// <summary>Raises or disarms an alarm; type NONE changes nothing (etcd ignores it too). As etcd's alarm store answers:
    /// an activation lists the alarm whether or not it was already raised, a deactivation lists it only if it was.</summary>
    public StoreResult Alarm(AlarmCommand command)
    {
        AlarmMember alarm = command.Alarm;
        if (alarm.Alarm == AlarmType.None)
        {
            return new AlarmResult(new Revision(CurrentRevision), []);
        }

        if (command.Action == AlarmAction.Activate)
        {
            Alarms.Activate(alarm);
            Invariant.Check(Alarms.IsRaised(alarm.Alarm), "an activated alarm is raised");
            return new AlarmResult(new Revision(CurrentRevision), [alarm]);
        }

        return new AlarmResult(new Revision(CurrentRevision), Alarms.Deactivate(alarm) ? [alarm] : []);
    }

    /// <summary>NoSpace when a NOSPACE alarm is raised and the command would add bytes (etcd's capped applier: puts, txns
    /// with a put in either branch, lease grants); null otherwise. Deletes, reads, compaction, revokes and alarms pass.</summary>
    public StoreErrorCode? RefusedByAlarm(StoreCommand command) =>
        Alarms.Count > 0 && BytesAdded(command) > 0 && Alarms.IsRaised(AlarmType.NoSpace) ? StoreErrorCode.NoSpace : null;

    /// <summary>Bytes a command adds against the quota, as etcd's quota counts them: a put's key, value and overhead, a lease's
    /// overhead, and for a txn the costlier of its two branches (nested txns included).</summary>
    public long BytesAdded(StoreCommand command) => command switch
    {
        PutCommand put => PutCost(put),
        LeaseGrantCommand => Settings.LeaseOverheadBytes,
        TxnCommand txn => Math.Max(BranchCost(txn.Success), BranchCost(txn.Failure)),
        _ => 0,
    };

    private long BranchCost(IReadOnlyList<StoreCommand> ops)
    {
        long cost = 0;
        foreach (StoreCommand op in ops)
        {
            cost += BytesAdded(op);
        }

        return cost;
    }
}
