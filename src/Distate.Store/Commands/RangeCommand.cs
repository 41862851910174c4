namespace Distate.Store.Commands;

/// <summary>A range read (etcd RangeRequest): [Key, RangeEnd); empty RangeEnd reads one key, RangeEnd "\0" reads every key from Key on.</summary>
public sealed record RangeCommand : StoreCommand
{
    /// <summary>First key of the range.</summary>
    public required byte[] Key { get; init; }

    /// <summary>Exclusive end of the range; see the type summary for the special values.</summary>
    public byte[] RangeEnd { get; init; } = [];

    /// <summary>Most keys to return; 0 or less means no limit.</summary>
    public long Limit { get; init; }

    /// <summary>Revision to read at; 0 or less means the current revision.</summary>
    public Revision Revision { get; init; }

    /// <summary>Sort order of the result.</summary>
    public SortOrder SortOrder { get; init; }

    /// <summary>Field the result is sorted by.</summary>
    public SortTarget SortTarget { get; init; }

    /// <summary>Return keys without values.</summary>
    public bool KeysOnly { get; init; }

    /// <summary>Return only the count.</summary>
    public bool CountOnly { get; init; }

    /// <summary>Drop keys modified before this revision (0 = no filter).</summary>
    public Revision MinModRevision { get; init; }

    /// <summary>Drop keys modified after this revision (0 = no filter).</summary>
    public Revision MaxModRevision { get; init; }

    /// <summary>Drop keys created before this revision (0 = no filter).</summary>
    public Revision MinCreateRevision { get; init; }

    /// <summary>Drop keys created after this revision (0 = no filter).</summary>
    public Revision MaxCreateRevision { get; init; }
}
