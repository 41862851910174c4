using Distate.Store.Alarms;

namespace Distate.Store.Results;

/// <summary>The answer to an alarm command, as etcd's: an activation lists the alarm (raised now, whether or not it was
/// before), a deactivation lists it if it was raised; type NONE lists nothing.</summary>
/// <param name="Revision">Header revision (alarm commands do not advance it).</param>
/// <param name="Alarms">The alarm raised, or the alarm disarmed.</param>
public sealed record AlarmResult(Revision Revision, IReadOnlyList<AlarmMember> Alarms) : StoreResult(Revision);
