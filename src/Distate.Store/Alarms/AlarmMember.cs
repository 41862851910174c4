namespace Distate.Store.Alarms;

/// <summary>One raised alarm: which member raised it and what kind it is (etcd's AlarmMember).</summary>
/// <param name="MemberId">The member the alarm is about (opaque to the store).</param>
/// <param name="Alarm">The alarm type; never <see cref="AlarmType.None"/> in the table.</param>
public readonly record struct AlarmMember(ulong MemberId, AlarmType Alarm);
