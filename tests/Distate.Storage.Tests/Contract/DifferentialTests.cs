using System.Globalization;
using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Contract;

// Proves FasterRaftStorage behaves exactly like MemoryRaftStorage under long random operation sequences: seeded
// appends (often overlapping the tail, so suffixes are replaced), hard states, snapshots and compactions are applied
// to both, the durable one is reopened at random points, and every observable answer is compared after each step.
// Seeds: DISTATE_STORAGE_SEED=<n> replays one; otherwise a fixed range runs. A failure names its seed.
public sealed class DifferentialTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("DISTATE_STORAGE_SEED"), CultureInfo.InvariantCulture, out var one))
        {
            data.Add(one);
            return data;
        }

        for (var seed = 1; seed <= 8; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_operations_match_the_reference(int seed)
    {
        var random = new Random(seed);
        using var reference = new MemoryHarness(ConfState.OfVoters(1));
        using var durable = new FasterHarness(ConfState.OfVoters(1));
        ulong term = 1;
        for (var step = 0; step < 120; step++)
        {
            var op = random.Next(100);
            var last = reference.Storage.LastIndex().Value;
            var first = reference.Storage.FirstIndex().Value;
            if (op < 60)
            {
                var start = Math.Max(first, last + 1 - (ulong)random.Next(0, (int)Math.Min(last + 1 - first, 6) + 1));
                term += random.Next(4) == 0 ? 1UL : 0UL;
                var batch = TestEntries.Run(start, random.Next(0, 12), term, random.Next(0, 300));
                reference.Append(batch);
                durable.Append(batch);
            }
            else if (op < 75)
            {
                var hs = new HardState(new Term(term), new NodeId((ulong)random.Next(0, 4)), new LogIndex(last));
                reference.SetHardState(hs);
                durable.SetHardState(hs);
            }
            else if (op < 85 && last >= first)
            {
                var at = new LogIndex(first + (ulong)random.Next((int)(last - first + 1)));
                if (at >= reference.Storage.LatestSnapshot().Metadata.Index)
                {
                    var data = new byte[random.Next(0, 64)];
                    random.NextBytes(data);
                    var conf = ConfState.OfVoters(1, (ulong)random.Next(2, 5));
                    reference.CreateSnapshot(at, conf, data);
                    durable.CreateSnapshot(at, conf, data);
                }
            }
            else if (op < 95 && last >= first)
            {
                var at = new LogIndex(first + (ulong)random.Next((int)(last - first + 1)));
                reference.Compact(at);
                durable.Compact(at);
            }
            else
            {
                durable.Reopen();
            }

            AssertSameState(reference.Storage, durable.Storage, seed, step);
        }

        durable.Reopen();
        AssertSameState(reference.Storage, durable.Storage, seed, -1);
    }

    private static void AssertSameState(IRaftLogStorage expected, IRaftLogStorage actual, int seed, int step)
    {
        var where = $"seed {seed} step {step}";
        Assert.True(expected.FirstIndex() == actual.FirstIndex(), $"{where}: first index {expected.FirstIndex()} vs {actual.FirstIndex()}");
        Assert.True(expected.LastIndex() == actual.LastIndex(), $"{where}: last index {expected.LastIndex()} vs {actual.LastIndex()}");
        Assert.True(expected.InitialState() == actual.InitialState() || (expected.InitialState().HardState == actual.InitialState().HardState
            && expected.InitialState().ConfState.Equals(actual.InitialState().ConfState)), $"{where}: initial state differs");
        Assert.True(expected.TermAt(expected.FirstIndex().Previous) == actual.TermAt(actual.FirstIndex().Previous), $"{where}: base term differs");
        Assert.True(expected.LatestSnapshot().Metadata == actual.LatestSnapshot().Metadata, $"{where}: snapshot metadata differs");
        Assert.True(expected.LatestSnapshot().Data.Span.SequenceEqual(actual.LatestSnapshot().Data.Span), $"{where}: snapshot data differs");
        TestEntries.AssertSame(
            expected.Entries(expected.FirstIndex(), expected.LastIndex().Next, long.MaxValue),
            actual.Entries(actual.FirstIndex(), actual.LastIndex().Next, long.MaxValue));
    }
}
