using Distate.Store;
using Distate.Store.Results;

namespace Distate.Server.Api;

/// <summary>
/// /v3/maintenance/hashkv: this member's hash of its MVCC history up to a revision, so members can be compared after the
/// same writes. Served locally without a read barrier, as etcd does: the point is to see what this member holds.
/// etcd 3.4's gateway has no route for HashKV (its /v3/maintenance/hash answers Hash); the path and the hash_revision
/// field follow etcd 3.5 and 3.6.
/// </summary>
public static partial class EtcdGateway
{
    private static async Task HashKvAsync(GatewayCall call)
    {
        var request = JsonRequest.Parse(call.Body, "etcdserverpb.HashKVRequest", "revision");
        var result = call.Host.Store.HashKv(new Revision(request.Int64("revision")));
        await call.WriteAsync(result, static (writer, r) =>
        {
            var hash = (HashKvResult)r;
            if (hash.Hash != 0)
            {
                writer.WriteNumber("hash", hash.Hash);
            }

            EtcdJson.Int64(writer, "compact_revision", hash.CompactRevision.Value);
            EtcdJson.Int64(writer, "hash_revision", hash.HashRevision.Value);
        }).ConfigureAwait(false);
    }
}
