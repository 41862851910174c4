using Distate.Store.Alarms;

namespace Distate.Store.Results;

/// <summary>The answer to an alarm command: the alarms it raised or disarmed (empty when it changed nothing, as etcd).</summary>
/// <param name="Revision">Header revision (alarm commands do not advance it).</param>
/// <param name="Alarms">The alarms changed.</param>
public sealed record AlarmResult(Revision Revision, IReadOnlyList<AlarmMember> Alarms) : StoreResult(Revision);
