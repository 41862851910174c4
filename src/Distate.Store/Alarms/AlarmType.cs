namespace Distate.Store.Alarms;

/// <summary>etcd's alarm types (etcdserverpb.AlarmType); the numbers are etcd's and part of the log and snapshot formats.</summary>
public enum AlarmType : byte
{
    /// <summary>No alarm: in a request, "every type".</summary>
    None = 0,

    /// <summary>The space quota was exceeded: writes that add bytes are refused until the alarm is disarmed.</summary>
    NoSpace = 1,

    /// <summary>A member found its data corrupt. Recorded and listed; Distate has no corruption checker that raises it.</summary>
    Corrupt = 2,
}
