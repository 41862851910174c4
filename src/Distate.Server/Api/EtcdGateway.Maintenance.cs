using System.Text.Json;
using Distate.Store.Alarms;
using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>
/// /v3/maintenance/alarm and /v3/maintenance/defragment, as etcd 3.4's gateway spells them. Alarms live in the
/// replicated store: GET lists them after a read barrier, ACTIVATE and DEACTIVATE go through the log (the route is
/// leader-only: mapped with LeaderOnly()). As etcd 3.4 answers (checked with curl against 3.4.23): no header, ACTIVATE lists
/// the alarm (also when it was already raised), DEACTIVATE lists it when it was raised. Defragment has nothing to do
/// (the store is in memory; compaction frees its space) and answers {} like etcd, since clients call it after compacting.
/// </summary>
public static partial class EtcdGateway
{
    /// <summary>etcd's AlarmType names, indexed by their numbers.</summary>
    private static readonly string[] AlarmNames = ["NONE", "NOSPACE", "CORRUPT"];

    private static async Task AlarmAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.AlarmRequest", "action", "memberID", "alarm");
        var action = request.Enum("action", "GET", "ACTIVATE", "DEACTIVATE");
        var alarm = new AlarmMember(request.UInt64("memberID"), (AlarmType)request.Enum("alarm", AlarmNames));
        if (action == 0)
        {
            await call.ReadBarrierAsync().ConfigureAwait(false);
            var raised = call.Host.Store.Alarms(alarm.Alarm);
            await call.WriteObjectAsync(writer => WriteAlarms(writer, raised)).ConfigureAwait(false);
            return;
        }

        var result = await call.ProposeAsync(new AlarmCommand((AlarmAction)action, alarm)).ConfigureAwait(false);
        await call.WriteObjectAsync(writer => WriteAlarms(writer, ((AlarmResult)result).Alarms)).ConfigureAwait(false);
    }

    private static async Task DefragmentAsync(GatewayCall call)
    {
        JsonRequest.Parse(call.Body, "etcdserverpb.DefragmentRequest");
        await call.WriteObjectAsync(static _ => { }).ConfigureAwait(false);
    }

    /// <summary>Writes "alarms": [{"memberID": "...", "alarm": "NOSPACE"}] (omitted when empty, as proto3 JSON does).</summary>
    private static void WriteAlarms(Utf8JsonWriter writer, IReadOnlyList<AlarmMember> alarms)
    {
        if (alarms.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("alarms");
        foreach (var alarm in alarms)
        {
            writer.WriteStartObject();
            EtcdJson.UInt64(writer, "memberID", alarm.MemberId);
            writer.WriteString("alarm", AlarmNames[(int)alarm.Alarm]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
