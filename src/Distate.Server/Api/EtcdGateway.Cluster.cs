using System.Globalization;
using System.Text.Json;
using Distate.Node.Requests;
using Distate.Raft;
using Distate.Server.Forwarding;
using Distate.Server.Members;
using Distate.Server.Node;
using static Distate.Server.Api.GrpcCode;

namespace Distate.Server.Api;

/// <summary>
/// etcd's cluster endpoints: member list (served locally, as etcd 3.4 does), add, remove and promote (membership
/// changes through Raft, answered once applied), plus the internal publish endpoint members announce themselves to.
/// </summary>
public static partial class EtcdGateway
{
    /// <summary>A learner may be promoted once its log reaches this share of the leader's commit index (etcd: 90%).</summary>
    private const double PromoteReadyShare = 0.9;

    private static void MapCluster(WebApplication app)
    {
        app.MapPost("/v3/cluster/member/list", context => Handle(context, MemberListAsync));
        app.MapPost("/v3/cluster/member/add", context => Handle(context, MemberAddAsync)).LeaderOnly();
        app.MapPost("/v3/cluster/member/remove", context => Handle(context, MemberRemoveAsync)).LeaderOnly();
        app.MapPost("/v3/cluster/member/promote", context => Handle(context, MemberPromoteAsync)).LeaderOnly();
        app.MapPost(LeaderForwarder.PublishPath, context => Handle(context, PublishAsync)).LeaderOnly();
    }

    private static async Task MemberListAsync(GatewayCall call)
    {
        JsonRequest.Parse(call.Body, "etcdserverpb.MemberListRequest", "linearizable");
        await WriteMembersAsync(call, null).ConfigureAwait(false);
    }

    private static async Task MemberAddAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.MemberAddRequest", "peerURLs", "isLearner");
        var peerUrls = ParsePeerUrls(request);
        var id = MemberIds.ForPeerUrl(peerUrls[0]);
        if (call.Host.Members.All.Any(member => member.PeerUrls.Any(peerUrls.Contains)))
        {
            throw new GatewayErrorException(FailedPrecondition, "etcdserver: Peer URLs already exists");
        }

        var learner = request.Bool("isLearner");
        var context = MemberCodec.EncodeContext(new MemberContext("", peerUrls));
        await ChangeMembershipAsync(call, new ConfChange(learner ? ConfChangeType.AddLearner : ConfChangeType.AddVoter, id, context)).ConfigureAwait(false);
        await WriteMembersAsync(call, new Member(id, "", peerUrls, [], learner)).ConfigureAwait(false);
    }

    private static async Task MemberRemoveAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.MemberRemoveRequest", "ID");
        var id = RequireMember(call, request);
        await ChangeMembershipAsync(call, new ConfChange(ConfChangeType.RemoveNode, id.Id)).ConfigureAwait(false);
        await WriteMembersAsync(call, null).ConfigureAwait(false);
    }

    private static async Task MemberPromoteAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.MemberPromoteRequest", "ID");
        var member = RequireMember(call, request);
        if (!member.IsLearner)
        {
            throw new GatewayErrorException(FailedPrecondition, "etcdserver: can only promote a learner member");
        }

        var status = call.Host.Status;
        if (!status.Progress.TryGetValue(member.Id, out var progress) || progress.Match.Value < PromoteReadyShare * status.Commit.Value)
        {
            throw new GatewayErrorException(FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
        }

        await ChangeMembershipAsync(call, new ConfChange(ConfChangeType.AddVoter, member.Id)).ConfigureAwait(false);
        await WriteMembersAsync(call, null).ConfigureAwait(false);
    }

    /// <summary>Members post their publish entry here (to the leader); the body is the entry itself.</summary>
    private static async Task PublishAsync(GatewayCall call)
    {
        MemberAttributes attributes;
        try
        {
            attributes = MemberCodec.DecodePublish(call.Body.Span);
        }
        catch (FormatException ex)
        {
            throw new BadRequestException("not a publish entry: " + ex.Message, ex);
        }

        await call.Host.ProposePublishAsync(MemberCodec.EncodePublish(attributes), call.Deadline).ConfigureAwait(false);
        await call.WriteAsync(call.Host.Store.CurrentRevision.Value, static _ => { }).ConfigureAwait(false);
    }

    private static async Task ChangeMembershipAsync(GatewayCall call, ConfChange change)
    {
        try
        {
            await call.Host.ProposeConfChangeAsync(change, call.Deadline).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Reason == DroppedReason.InvalidConfChange)
        {
            throw new GatewayErrorException(FailedPrecondition, "etcdserver: " + ex.Message);
        }
    }

    private static Member RequireMember(GatewayCall call, JsonRequest request)
    {
        var id = new NodeId(request.UInt64("ID"));
        return call.Host.Members.TryGet(id, out var member)
            ? member
            : throw new GatewayErrorException(NotFound, "etcdserver: member not found");
    }

    private static Uri[] ParsePeerUrls(JsonRequest request)
    {
        var urls = new List<Uri>();
        foreach (var element in request.Elements("peerURLs"))
        {
            if (element.ValueKind != JsonValueKind.String || !Uri.TryCreate(element.GetString(), UriKind.Absolute, out var url)
                || url.Scheme != "http" || url.Port <= 0)
            {
                throw new BadRequestException($"peerURLs: {element} is not an http URL with a port (e.g. http://127.0.0.1:2380)");
            }

            urls.Add(url);
        }

        return urls.Count > 0 ? urls.ToArray() : throw new BadRequestException("etcdserver: member peerURLs not provided");
    }

    /// <summary>Writes the member list; as in etcd, a cluster response header carries no revision.</summary>
    private static Task WriteMembersAsync(GatewayCall call, Member? added) =>
        call.WriteAsync(revision: 0, writer =>
        {
            if (added is not null)
            {
                writer.WritePropertyName("member");
                WriteMember(writer, added);
            }

            writer.WriteStartArray("members");
            foreach (var member in call.Host.Members.All)
            {
                WriteMember(writer, member);
            }

            writer.WriteEndArray();
        });

    private static void WriteMember(Utf8JsonWriter writer, Member member)
    {
        writer.WriteStartObject();
        writer.WriteString("ID", member.Id.Value.ToString(CultureInfo.InvariantCulture));
        if (member.Name.Length > 0)
        {
            writer.WriteString("name", member.Name);
        }

        WriteUrls(writer, "peerURLs", member.PeerUrls);
        WriteUrls(writer, "clientURLs", member.ClientUrls);
        EtcdJson.Bool(writer, "isLearner", member.IsLearner);
        writer.WriteEndObject();
    }

    private static void WriteUrls(Utf8JsonWriter writer, string name, IReadOnlyList<Uri> urls)
    {
        if (urls.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var url in urls)
        {
            // etcd prints URLs as given, without the trailing slash Uri adds.
            writer.WriteStringValue(url.ToString().TrimEnd('/'));
        }

        writer.WriteEndArray();
    }
}
