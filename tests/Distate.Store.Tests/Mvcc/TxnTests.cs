using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Mvcc;

// Proves txn semantics as etcd 3.4 has them: compares on value/version/create/mod/lease with =, !=, <, > (absent keys
// compare as zeros and fail value compares), success and failure branches with puts, deletes, ranges and nested txns,
// one revision for the whole txn, reads inside the txn seeing earlier writes, and the "duplicate key" and
// "too many operations" refusals, which change nothing.
public sealed class TxnTests
{
    private static Compare Cmp(string key, CompareTarget target, CompareOperator op, long number = 0, string value = "") =>
        new() { Key = B(key), Target = target, Operator = op, Number = number, Value = B(value) };

    private static PutCommand PutOp(string key, string value) => new() { Key = B(key), Value = B(value) };

    [Theory]
    [InlineData(CompareTarget.Value, CompareOperator.Equal, 0, "2", true)]
    [InlineData(CompareTarget.Value, CompareOperator.NotEqual, 0, "2", false)]
    [InlineData(CompareTarget.Value, CompareOperator.Greater, 0, "1", true)]
    [InlineData(CompareTarget.Value, CompareOperator.Less, 0, "3", true)]
    [InlineData(CompareTarget.Version, CompareOperator.Equal, 2, "", true)]
    [InlineData(CompareTarget.Version, CompareOperator.Greater, 2, "", false)]
    [InlineData(CompareTarget.Create, CompareOperator.Equal, 2, "", true)]
    [InlineData(CompareTarget.Mod, CompareOperator.Less, 4, "", true)]
    [InlineData(CompareTarget.Mod, CompareOperator.NotEqual, 3, "", false)]
    [InlineData(CompareTarget.Lease, CompareOperator.Equal, 0, "", true)]
    public void Compare_targets_and_operators(CompareTarget target, CompareOperator op, long number, string value, bool expected)
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("a", "2");
        TxnResult result = store.Apply(new TxnCommand { Compares = [Cmp("a", target, op, number, value)] }).Expect<TxnResult>();
        Assert.Equal(expected, result.Succeeded);
    }

    [Fact]
    public void Absent_key_compares_as_zero_but_fails_value_compares()
    {
        using var store = new KvStore();
        Assert.True(store.Apply(new TxnCommand { Compares = [Cmp("x", CompareTarget.Version, CompareOperator.Equal, 0)] }).Expect<TxnResult>().Succeeded);
        Assert.True(store.Apply(new TxnCommand { Compares = [Cmp("x", CompareTarget.Create, CompareOperator.Equal, 0)] }).Expect<TxnResult>().Succeeded);
        Assert.False(store.Apply(new TxnCommand { Compares = [Cmp("x", CompareTarget.Value, CompareOperator.NotEqual, 0, "v")] }).Expect<TxnResult>().Succeeded);
    }

    [Fact]
    public void Range_compare_requires_every_key_to_hold()
    {
        using var store = new KvStore();
        store.Put("k1", "a");
        store.Put("k2", "b");
        Compare allA = Cmp("k", CompareTarget.Value, CompareOperator.Equal, 0, "a") with { RangeEnd = B("l") };
        Assert.False(store.Apply(new TxnCommand { Compares = [allA] }).Expect<TxnResult>().Succeeded);
        Compare allVersion1 = Cmp("k", CompareTarget.Version, CompareOperator.Equal, 1) with { RangeEnd = B("l") };
        Assert.True(store.Apply(new TxnCommand { Compares = [allVersion1] }).Expect<TxnResult>().Succeeded);
    }

    [Fact]
    public void Whole_txn_gets_one_revision_and_reads_see_earlier_writes()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        TxnResult result = store.Apply(new TxnCommand
        {
            Compares = [Cmp("a", CompareTarget.Value, CompareOperator.Equal, 0, "1")],
            Success = [PutOp("b", "x"), PutOp("c", "y"), new RangeCommand { Key = B("b") }, new DeleteRangeCommand { Key = B("a") }],
            Failure = [PutOp("f", "z")],
        }).Expect<TxnResult>();
        Assert.True(result.Succeeded);
        Assert.Equal(3, result.Revision.Value);
        Assert.Equal(3, store.CurrentRevision.Value);
        Assert.Equal("b", result.Responses[2].Expect<RangeResult>().Keys());
        Assert.All(result.Responses, response => Assert.Equal(3, response.Revision.Value));
        Assert.Equal((3L, 3L), (store.Get("b")!.ModRevision.Value, store.Get("c")!.ModRevision.Value));
        Assert.Null(store.Get("a"));
        Assert.Null(store.Get("f"));
    }

    [Fact]
    public void Failure_branch_and_nested_txns_run_the_branch_chosen_before_any_write()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        var nested = new TxnCommand
        {
            Compares = [Cmp("n", CompareTarget.Version, CompareOperator.Equal, 0)],
            Success = [PutOp("n", "inner-success")],
            Failure = [PutOp("n", "inner-failure")],
        };
        TxnResult result = store.Apply(new TxnCommand
        {
            Compares = [Cmp("a", CompareTarget.Value, CompareOperator.Equal, 0, "other")],
            Success = [PutOp("s", "1")],
            Failure = [PutOp("f", "1"), nested],
        }).Expect<TxnResult>();
        Assert.False(result.Succeeded);
        Assert.True(result.Responses[1].Expect<TxnResult>().Succeeded);
        Assert.Equal("inner-success", S(store.Get("n")!.Value));
        Assert.Null(store.Get("s"));
        Assert.Equal(3, store.CurrentRevision.Value);
    }

    [Fact]
    public void Duplicate_key_writes_are_refused_as_etcd_does()
    {
        using var store = new KvStore();
        store.Apply(new TxnCommand { Success = [PutOp("x", "1"), PutOp("x", "2")] }).ExpectError(StoreErrorCode.DuplicateKey);
        store.Apply(new TxnCommand { Success = [new DeleteRangeCommand { Key = B("a"), RangeEnd = B("z") }, PutOp("m", "1")] })
            .ExpectError(StoreErrorCode.DuplicateKey);
        store.Apply(new TxnCommand { Success = [PutOp("x", "1"), new TxnCommand { Success = [PutOp("x", "2")] }] })
            .ExpectError(StoreErrorCode.DuplicateKey);
        store.Apply(new TxnCommand { Failure = [new TxnCommand { Success = [PutOp("x", "1"), PutOp("x", "2")] }] })
            .ExpectError(StoreErrorCode.DuplicateKey);
        Assert.Equal(1, store.CurrentRevision.Value);

        // Allowed: the same key in both branches, in both branches of a nested txn, and two overlapping deletes.
        store.Apply(new TxnCommand { Success = [PutOp("x", "1")], Failure = [PutOp("x", "2")] }).Expect<TxnResult>();
        store.Apply(new TxnCommand { Success = [new TxnCommand { Success = [PutOp("y", "1")], Failure = [PutOp("y", "2")] }] }).Expect<TxnResult>();
        store.Apply(new TxnCommand { Success = [new DeleteRangeCommand { Key = B("x") }, new DeleteRangeCommand { Key = B("a"), RangeEnd = B("z") }] })
            .Expect<TxnResult>();
    }

    [Fact]
    public void Too_many_ops_counts_nested_txns_against_the_same_budget()
    {
        using var store = new KvStore(new StoreSettings { MaxTxnOps = 4 });
        PutCommand[] five = [.. Enumerable.Range(0, 5).Select(i => PutOp($"k{i}", "v"))];
        store.Apply(new TxnCommand { Success = five }).ExpectError(StoreErrorCode.TooManyOps);
        PutCommand[] three = [.. Enumerable.Range(0, 3).Select(i => PutOp($"n{i}", "v"))];
        store.Apply(new TxnCommand { Success = [PutOp("a", "1"), PutOp("b", "1"), new TxnCommand { Success = three }] })
            .ExpectError(StoreErrorCode.TooManyOps);
        store.Apply(new TxnCommand { Success = [.. five.Take(4)] }).Expect<TxnResult>();
    }

    [Fact]
    public void A_failing_op_check_in_the_taken_branch_applies_nothing()
    {
        using var store = new KvStore();
        store.Apply(new TxnCommand { Success = [PutOp("a", "1"), new PutCommand { Key = B("b"), Lease = new LeaseId(99) }] })
            .ExpectError(StoreErrorCode.LeaseNotFound);
        store.Apply(new TxnCommand { Success = [PutOp("a", "1"), new RangeCommand { Key = B("a"), Revision = new Revision(50) }] })
            .ExpectError(StoreErrorCode.FutureRevision);
        Assert.Null(store.Get("a"));
        Assert.Equal(1, store.CurrentRevision.Value);
    }
}
