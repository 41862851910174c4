namespace Distate.Storage;

/// <summary>Fixed sizes of the record format, used to check limits before encoding.</summary>
internal static class RecordCodecLimits
{
    /// <summary>Checksum, kind, flags, reserved, and the largest optional hard state.</summary>
    public const int HeaderBytes = 8 + 24;

    /// <summary>Per-entry bytes besides the payload: term, type, length.</summary>
    public const int EntryOverheadBytes = 8 + 1 + 4;

    /// <summary>Batch bytes besides its entries: first index and count.</summary>
    public const int BatchOverheadBytes = 8 + 4;
}
