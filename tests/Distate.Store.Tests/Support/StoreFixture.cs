using System.Text;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Xunit;

namespace Distate.Store.Tests.Support;

/// <summary>Short helpers so tests read like etcdctl sessions.</summary>
internal static class StoreFixture
{
    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string S(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static T Expect<T>(this StoreResult result)
        where T : StoreResult
    {
        if (result is T typed)
        {
            return typed;
        }

        Assert.Fail($"expected {typeof(T).Name} but got {result}");
        return null!;
    }

    public static StoreError ExpectError(this StoreResult result, StoreErrorCode code)
    {
        StoreError error = result.Expect<StoreError>();
        Assert.Equal(code, error.Code);
        Assert.Equal(StoreError.MessageFor(code), error.Message);
        return error;
    }

    public static PutResult Put(this KvStore store, string key, string value, long lease = 0, bool prevKv = false) =>
        store.Apply(new PutCommand { Key = B(key), Value = B(value), Lease = new LeaseId(lease), PrevKv = prevKv }).Expect<PutResult>();

    public static DeleteRangeResult Delete(this KvStore store, string key, string? rangeEnd = null, bool prevKv = false) =>
        store.Apply(new DeleteRangeCommand { Key = B(key), RangeEnd = rangeEnd is null ? [] : B(rangeEnd), PrevKv = prevKv })
            .Expect<DeleteRangeResult>();

    public static KeyValue? Get(this KvStore store, string key, long revision = 0)
    {
        RangeResult result = store.Range(new RangeCommand { Key = B(key), Revision = new Revision(revision) }).Expect<RangeResult>();
        return result.Kvs.Count == 0 ? null : result.Kvs[0];
    }

    /// <summary>Every key with the prefix; the empty prefix means every key (key "\0", range end "\0", as clientv3 sends).</summary>
    public static RangeResult Prefix(this KvStore store, string prefix, long revision = 0) =>
        store.Range(new RangeCommand
        {
            Key = prefix.Length == 0 ? [0] : B(prefix),
            RangeEnd = KeyRanges.PrefixEnd(B(prefix)),
            Revision = new Revision(revision),
        }).Expect<RangeResult>();

    public static string Keys(this RangeResult result) => string.Join(",", result.Kvs.Select(kv => S(kv.Key)));

    public static LeaseId Grant(this KvStore store, long ttlSeconds, long id = 0) =>
        store.Apply(new LeaseGrantCommand(new LeaseId(id), ttlSeconds)).Expect<LeaseGrantResult>().Id;
}
