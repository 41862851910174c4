namespace Distate.Store.Watch;

/// <summary>One change of one key (etcd mvccpb.Event).</summary>
/// <param name="Type">Put or delete.</param>
/// <param name="Kv">The key after the change; for a delete only key and mod revision are set, as in etcd.</param>
/// <param name="PrevKv">The key before the change when asked for and still in history, else null.</param>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv);
