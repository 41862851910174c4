using Distate.Store.Commands;
using Distate.Store.Results;

namespace Distate.Store.Mvcc;

/// <summary>Range reads, with etcd's count, more, filter and sort semantics.</summary>
internal sealed partial class MvccState
{
    /// <summary>Answers a top-level range read at its revision (or the current one).</summary>
    public StoreResult Range(RangeCommand command)
    {
        StoreResult? error = CheckReadRevision(command.Revision.Value);
        if (error is not null)
        {
            return error;
        }

        long readRevision = command.Revision.Value > 0 ? command.Revision.Value : CurrentRevision;
        return RangeAt(command, readRevision, new Revision(CurrentRevision));
    }

    /// <summary>Answers a range inside a txn: unversioned reads see the txn's own earlier writes.</summary>
    private RangeResult RangeInTxn(RangeCommand command)
    {
        long readRevision = command.Revision.Value > 0 ? command.Revision.Value : long.MaxValue;
        return RangeAt(command, readRevision, HeaderRevision);
    }

    private RangeResult RangeAt(RangeCommand command, long readRevision, Revision header)
    {
        bool filtered = command.MinModRevision.Value != 0 || command.MaxModRevision.Value != 0
            || command.MinCreateRevision.Value != 0 || command.MaxCreateRevision.Value != 0;
        SortOrder order = command.SortOrder == SortOrder.None && command.SortTarget != SortTarget.Key ? SortOrder.Ascend : command.SortOrder;
        bool collectAll = filtered || order != SortOrder.None;
        long limit = command.Limit > 0 ? command.Limit : long.MaxValue;

        long count = 0;
        var found = new List<KeyVersion>();
        foreach (KeyRecord record in Index.Range(command.Key, command.RangeEnd))
        {
            KeyVersion? version = record.LiveAt(readRevision);
            if (version is null)
            {
                continue;
            }

            count++;
            if (!command.CountOnly && (collectAll || found.Count <= limit))
            {
                found.Add(version);
            }
        }

        if (filtered)
        {
            found.RemoveAll(version => !PassesFilters(command, version));
        }

        if (order != SortOrder.None && !(order == SortOrder.Ascend && command.SortTarget == SortTarget.Key))
        {
            found.Sort(VersionSorter.For(command.SortTarget, order));
        }

        bool more = found.Count > limit;
        int returned = more ? (int)limit : found.Count;
        var kvs = new KeyValue[returned];
        for (int i = 0; i < returned; i++)
        {
            kvs[i] = found[i].ToKeyValue(command.KeysOnly);
        }

        Invariant.Check(kvs.Length <= count, "never more keys than the range holds");
        return new RangeResult(header, kvs, more, count);
    }

    private static bool PassesFilters(RangeCommand command, KeyVersion version) =>
        (command.MinModRevision.Value == 0 || version.ModMain >= command.MinModRevision.Value)
        && (command.MaxModRevision.Value == 0 || version.ModMain <= command.MaxModRevision.Value)
        && (command.MinCreateRevision.Value == 0 || version.CreateRevision >= command.MinCreateRevision.Value)
        && (command.MaxCreateRevision.Value == 0 || version.CreateRevision <= command.MaxCreateRevision.Value);
}
