namespace Distate.Server.Tests.Compat;

/// <summary>
/// One request of the etcd compatibility table, sent to both systems in table order (POST unless told otherwise). The body may use
/// tokens replaced per system from that system's earlier answers: <c>$rev</c> (the last header.revision seen),
/// <c>$rev+N</c> / <c>$rev-N</c>, and <c>$id</c> (the last top-level "ID" seen, e.g. a granted lease).
/// </summary>
/// <param name="Name">Unique name, used in failures, the recording and <see cref="KnownDifference"/>.</param>
/// <param name="Path">Gateway path, e.g. /v3/kv/put.</param>
/// <param name="Body">Request body, usually JSON; sent as is after token replacement (not sent with GET).</param>
/// <param name="Method">HTTP method; etcd's gateway serves POST only.</param>
public sealed record CompatCase(string Name, string Path, string Body, string Method = "POST");
