namespace Distate.Store.Alarms;

/// <summary>The raised alarms, part of the replicated state (so every member refuses the same writes at the same entry).
/// Invariant: no entry has <see cref="AlarmType.None"/>; entries are unique and kept in (member, type) order.</summary>
internal sealed class AlarmTable
{
    private readonly SortedSet<AlarmMember> _alarms = new(Comparer<AlarmMember>.Create(static (a, b) =>
        a.MemberId != b.MemberId ? a.MemberId.CompareTo(b.MemberId) : a.Alarm.CompareTo(b.Alarm)));

    /// <summary>Number of raised alarms.</summary>
    public int Count => _alarms.Count;

    /// <summary>True when at least one alarm of the type is raised.</summary>
    public bool IsRaised(AlarmType type)
    {
        foreach (AlarmMember alarm in _alarms)
        {
            if (alarm.Alarm == type)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Raises an alarm; false when it was already raised.</summary>
    public bool Activate(AlarmMember alarm)
    {
        Invariant.Check(alarm.Alarm != AlarmType.None, "only real alarm types are raised");
        return _alarms.Add(alarm);
    }

    /// <summary>Disarms an alarm; false when it was not raised.</summary>
    public bool Deactivate(AlarmMember alarm) => _alarms.Remove(alarm);

    /// <summary>The raised alarms of a type (every type for <see cref="AlarmType.None"/>), in (member, type) order.</summary>
    public AlarmMember[] List(AlarmType type)
    {
        var listed = new List<AlarmMember>(_alarms.Count);
        foreach (AlarmMember alarm in _alarms)
        {
            if (type == AlarmType.None || alarm.Alarm == type)
            {
                listed.Add(alarm);
            }
        }

        return [.. listed];
    }
}
