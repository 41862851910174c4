using Distate.Store.Mvcc;
using Xunit;

namespace Distate.Store.Tests.Mvcc;

// Proves the chunked key index against SortedSet as a reference: random inserts and removals (enough to split and
// empty chunks many times) keep ordinal order, lookups, and every kind of range scan identical, and the structural
// invariants hold throughout. Seeded, so a failure replays.
public sealed class KeyIndexTests
{
    private static byte[] RandomKey(Random random) => [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (byte)random.Next(0, 40))];

    [Fact]
    public void Random_inserts_removals_and_ranges_match_a_sorted_set()
    {
        var random = new Random(4242);
        var index = new KeyIndex();
        var reference = new SortedSet<byte[]>(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
        for (int step = 0; step < 30_000; step++)
        {
            byte[] key = RandomKey(random);
            if (index.TryGet(key, out KeyRecord existing))
            {
                if (random.Next(3) == 0)
                {
                    index.Remove(existing);
                    reference.Remove(key);
                }
            }
            else
            {
                index.Add(new KeyRecord(key));
                reference.Add(key);
            }

            if (step % 1000 == 0)
            {
                index.AssertInvariants();
                CheckRanges(index, reference, random);
            }
        }

        Assert.Equal(reference.Count, index.Count);
        Assert.True(index.Count > KeyIndex.MaxChunk * 4, "the test must exercise many chunks");
    }

    private static void CheckRanges(KeyIndex index, SortedSet<byte[]> reference, Random random)
    {
        for (int i = 0; i < 20; i++)
        {
            byte[] start = RandomKey(random);
            byte[] end = i % 3 == 0 ? [0] : i % 3 == 1 ? [] : RandomKey(random);
            var expected = reference.Where(k => KeyIndex.Contains(start, end, k)).Select(Convert.ToHexString).ToList();
            var actual = new List<string>();
            foreach (KeyRecord record in index.Range(start, end))
            {
                actual.Add(Convert.ToHexString(record.Key));
            }

            Assert.Equal(expected, actual);
        }
    }
}
