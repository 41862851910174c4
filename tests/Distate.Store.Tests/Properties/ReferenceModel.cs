using System.Collections.Immutable;

namespace Distate.Store.Tests.Properties;

/// <summary>The obviously-correct reference: a full copy of the key space after every revision, in ordinal key order.</summary>
internal sealed class ReferenceModel
{
    private readonly Dictionary<long, ImmutableSortedDictionary<string, ModelKv>> _byRevision = new()
    {
        [1] = ImmutableSortedDictionary.Create<string, ModelKv>(StringComparer.Ordinal),
    };

    public long Revision { get; private set; } = 1;

    public long CompactRevision { get; private set; }

    public ImmutableSortedDictionary<string, ModelKv> Current => _byRevision[Revision];

    public ImmutableSortedDictionary<string, ModelKv> At(long revision) => _byRevision[revision];

    public void Put(string key, string value) => Commit(Write(Current, [(key, value)], []));

    public void Delete(string key, string? rangeEnd) => Commit(Write(Current, [], InRange(Current, key, rangeEnd)));

    public bool Txn(string compareKey, int expectedVersion, (string Key, string Value)[] puts, string deleteKey)
    {
        long version = Current.TryGetValue(compareKey, out ModelKv? kv) ? kv.Version : 0;
        bool succeeded = version == expectedVersion;
        Commit(succeeded ? Write(Current, puts, []) : Write(Current, [], InRange(Current, deleteKey, null)));
        return succeeded;
    }

    public void Compact(long revision) => CompactRevision = revision;

    public static List<string> InRange(ImmutableSortedDictionary<string, ModelKv> state, string key, string? rangeEnd) =>
        [.. state.Keys.Where(k => rangeEnd is null ? k == key : string.CompareOrdinal(k, key) >= 0 && string.CompareOrdinal(k, rangeEnd) < 0)];

    private ImmutableSortedDictionary<string, ModelKv>? Write(
        ImmutableSortedDictionary<string, ModelKv> state, (string Key, string Value)[] puts, List<string> deletes)
    {
        if (puts.Length == 0 && deletes.Count == 0)
        {
            return null;
        }

        long next = Revision + 1;
        foreach ((string key, string value) in puts)
        {
            state = state.TryGetValue(key, out ModelKv? old)
                ? state.SetItem(key, new ModelKv(value, old.Create, next, old.Version + 1))
                : state.SetItem(key, new ModelKv(value, next, next, 1));
        }

        return state.RemoveRange(deletes);
    }

    private void Commit(ImmutableSortedDictionary<string, ModelKv>? next)
    {
        if (next is not null)
        {
            Revision++;
            _byRevision[Revision] = next;
        }
    }
}

/// <summary>One key in the reference model.</summary>
internal sealed record ModelKv(string Value, long Create, long Mod, long Version);
