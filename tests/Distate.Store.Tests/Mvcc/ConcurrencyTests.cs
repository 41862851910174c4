using Distate.Store.Commands;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves the concurrency model: while one thread applies txns that write two keys together, readers on other threads
// always see both keys at the same value and mod revision (never half a txn), and revisions they observe never go back.
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Readers_never_see_half_a_txn()
    {
        using var store = new KvStore();
        const int Txns = 3000;
        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < Txns; i++)
            {
                string value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                store.Apply(new TxnCommand
                {
                    Success = [new PutCommand { Key = B("a"), Value = B(value) }, new PutCommand { Key = B("b"), Value = B(value) }],
                });
            }
        });

        async Task Reader()
        {
            long lastRevision = 0;
            int reads = 0;
            while (!writer.IsCompleted || reads == 0)
            {
                RangeResult both = store.Range(new RangeCommand { Key = B("a"), RangeEnd = B("c") }).Expect<RangeResult>();
                Assert.True(both.Revision.Value >= lastRevision, "revisions never go back");
                lastRevision = both.Revision.Value;
                if (both.Kvs.Count > 0)
                {
                    Assert.Equal(2, both.Kvs.Count);
                    Assert.Equal(S(both.Kvs[0].Value), S(both.Kvs[1].Value));
                    Assert.Equal(both.Kvs[0].ModRevision, both.Kvs[1].ModRevision);
                }

                reads++;
                await Task.Yield();
            }
        }

        await Task.WhenAll(writer, Task.Run(Reader), Task.Run(Reader));
        Assert.Equal(Txns + 1, store.CurrentRevision.Value);
    }
}
