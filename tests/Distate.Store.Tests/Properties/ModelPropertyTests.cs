using System.Globalization;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Properties;

// Proves, with FsCheck, that random sequences of puts, deletes (single and range), txns, compactions and reads at random
// revisions give exactly the answers of a simple reference model (a copy of the key space per revision): values,
// create/mod revisions, versions, count, more, and the compacted/future-revision errors. After each sequence the store's
// invariants hold, a second store fed the same commands through the codec has the same HashKV, and so does a snapshot
// restore. The seed is fixed (override with DISTATE_FSCHECK_SEED) and printed on failure, so any failure replays.
public sealed class ModelPropertyTests
{
    private static readonly string[] KeyPool = ["a", "aa", "ab", "b", "ba", "c", "d"];

    private static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("DISTATE_FSCHECK_SEED"), CultureInfo.InvariantCulture, out ulong seed)
        ? seed
        : 20261122UL;

    private static Gen<ModelOp> OpGen()
    {
        Gen<string> key = Gen.Elements(KeyPool);
        Gen<string?> end = Gen.Elements<string?>(null, null, "b", "c", "z", "\0");
        Gen<string> value = Gen.Choose(0, 99).Select(v => v.ToString(CultureInfo.InvariantCulture));
        Gen<(string, string)[]> puts = Gen.SubListOf(KeyPool).SelectMany(keys => value.ArrayOf(keys.Count).Select(values =>
            keys.Select((k, i) => (k, values[i])).ToArray()));
        return Gen.Frequency(
            (10, key.SelectMany(k => value, (k, v) => new ModelOp(ModelOpKind.Put, k, null, v, 0, []))),
            (3, key.SelectMany(k => end, (k, e) => new ModelOp(ModelOpKind.Delete, k, e, "", 0, []))),
            (3, key.SelectMany(k => Gen.Choose(0, 2), (k, n) => (k, n)).SelectMany(kn => puts.SelectMany(p => key, (p, d) => (p, d)),
                (kn, pd) => new ModelOp(ModelOpKind.Txn, kn.k, pd.d, "", kn.n, pd.p))),
            (1, Gen.Choose(0, 40).Select(n => new ModelOp(ModelOpKind.Compact, "", null, "", n, []))),
            (8, key.SelectMany(k => end, (k, e) => (k, e)).SelectMany(ke => Gen.Choose(0, 40).SelectMany(r => Gen.Choose(0, 3), (r, l) => (r, l)),
                (ke, rl) => new ModelOp(ModelOpKind.Read, ke.k, ke.e, rl.l.ToString(CultureInfo.InvariantCulture), rl.r, []))));
    }

    [Fact]
    public void Random_command_sequences_match_the_reference_model()
    {
        Arbitrary<ModelOp[]> sequences = OpGen().ArrayOf().Select(ops => ops.ToArray()).ToArbitrary();
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(300)
            .WithEndSize(80)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        try
        {
            Check.One(config, Prop.ForAll(sequences, ops => RunAgainstModel(ops)));
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"model property failed; replay with DISTATE_FSCHECK_SEED={Seed}", failure);
        }
    }

    private static bool RunAgainstModel(ModelOp[] ops)
    {
        using var store = new KvStore();
        using var replica = new KvStore();
        var model = new ReferenceModel();
        foreach (ModelOp op in ops)
        {
            StoreCommand command = ToCommand(op, model);
            StoreResult result = store.Apply(command);
            replica.Apply(Store.Codec.CommandCodec.Encode(command));
            CheckStep(op, model, result);
            Assert.Equal(model.Revision, store.CurrentRevision.Value);
        }

        store.AssertInvariants();
        Assert.Equal(store.HashKv(Revision.None), replica.HashKv(Revision.None));
        using var image = new MemoryStream();
        store.WriteSnapshot(image);
        image.Position = 0;
        using var restored = new KvStore();
        restored.RestoreSnapshot(image);
        Assert.Equal(store.HashKv(Revision.None), restored.HashKv(Revision.None));
        return true;
    }

    private static StoreCommand ToCommand(ModelOp op, ReferenceModel model) => op.Kind switch
    {
        ModelOpKind.Put => new PutCommand { Key = B(op.Key), Value = B(op.Value) },
        ModelOpKind.Delete => new DeleteRangeCommand { Key = B(op.Key), RangeEnd = op.RangeEnd is null ? [] : B(op.RangeEnd) },
        ModelOpKind.Txn => new TxnCommand
        {
            Compares = [new Compare { Key = B(op.Key), Target = CompareTarget.Version, Operator = CompareOperator.Equal, Number = op.Number }],
            Success = [.. op.Puts.Select(p => new PutCommand { Key = B(p.Key), Value = B(p.Value) })],
            Failure = [new DeleteRangeCommand { Key = B(op.RangeEnd!) }],
        },
        ModelOpKind.Compact => new CompactCommand(new Revision(op.Number)),
        _ => new RangeCommand
        {
            Key = B(op.Key), RangeEnd = op.RangeEnd is null ? [] : B(op.RangeEnd),
            Revision = new Revision(op.Number), Limit = int.Parse(op.Value, CultureInfo.InvariantCulture),
        },
    };

    private static void CheckStep(ModelOp op, ReferenceModel model, StoreResult result)
    {
        switch (op.Kind)
        {
            case ModelOpKind.Put:
                model.Put(op.Key, op.Value);
                result.Expect<PutResult>();
                break;
            case ModelOpKind.Delete:
                int expected = ReferenceModel.InRange(model.Current, op.Key, NormalizeEnd(op.Key, op.RangeEnd)).Count;
                model.Delete(op.Key, NormalizeEnd(op.Key, op.RangeEnd));
                Assert.Equal(expected, result.Expect<DeleteRangeResult>().Deleted);
                break;
            case ModelOpKind.Txn:
                bool succeeded = model.Txn(op.Key, op.Number, op.Puts, op.RangeEnd!);
                Assert.Equal(succeeded, result.Expect<TxnResult>().Succeeded);
                break;
            case ModelOpKind.Compact:
                CheckCompact(op.Number, model, result);
                break;
            default:
                CheckRead(op, model, result);
                break;
        }
    }

    /// <summary>The model's exclusive end: "\0" means every key from the start on.</summary>
    private static string? NormalizeEnd(string key, string? rangeEnd) => rangeEnd == "\0" ? "\uffff" : rangeEnd;

    private static void CheckCompact(long revision, ReferenceModel model, StoreResult result)
    {
        if (revision <= model.CompactRevision)
        {
            result.ExpectError(StoreErrorCode.Compacted);
        }
        else if (revision > model.Revision)
        {
            result.ExpectError(StoreErrorCode.FutureRevision);
        }
        else
        {
            result.Expect<CompactResult>();
            model.Compact(revision);
        }
    }

    private static void CheckRead(ModelOp op, ReferenceModel model, StoreResult result)
    {
        long revision = op.Number;
        if (revision > model.Revision)
        {
            result.ExpectError(StoreErrorCode.FutureRevision);
            return;
        }

        if (revision > 0 && revision < model.CompactRevision)
        {
            Assert.Equal(model.CompactRevision, result.ExpectError(StoreErrorCode.Compacted).CompactRevision.Value);
            return;
        }

        var state = model.At(revision > 0 ? revision : model.Revision);
        List<string> keys = ReferenceModel.InRange(state, op.Key, NormalizeEnd(op.Key, op.RangeEnd));
        int limit = int.Parse(op.Value, CultureInfo.InvariantCulture);
        RangeResult range = result.Expect<RangeResult>();
        Assert.Equal(keys.Count, range.Count);
        Assert.Equal(limit > 0 && keys.Count > limit, range.More);
        List<string> returned = limit > 0 ? [.. keys.Take(limit)] : keys;
        Assert.Equal(returned, range.Kvs.Select(kv => S(kv.Key)));
        for (int i = 0; i < returned.Count; i++)
        {
            ModelKv expected = state[returned[i]];
            KeyValue actual = range.Kvs[i];
            Assert.Equal((expected.Value, expected.Create, expected.Mod, expected.Version),
                (S(actual.Value), actual.CreateRevision.Value, actual.ModRevision.Value, actual.Version));
        }
    }
}
