using Distate.Store.Alarms;

namespace Distate.Store.Commands;

/// <summary>Raises or disarms an alarm (etcd AlarmRequest ACTIVATE/DEACTIVATE); it does not advance the revision.</summary>
/// <param name="Action">Raise or disarm.</param>
/// <param name="Alarm">The member and alarm type; type <see cref="AlarmType.None"/> changes nothing, as in etcd.</param>
public sealed record AlarmCommand(AlarmAction Action, AlarmMember Alarm) : StoreCommand;
