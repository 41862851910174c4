using Distate.Raft;
using Distate.Store;
using Distate.Transport;

namespace Distate.Server.Configuration;

/// <summary>
/// Every size limit of a member, derived from two settings: <c>--max-request-bytes</c> (R, the largest encoded request a
/// client may send) and the store quota. The chain runs from the API door to the disk, and each layer admits at least
/// what the layer above lets through plus its own framing, so a request accepted at the door can never be refused (or
/// crash a loop) further down:
/// <code>
/// HTTP body   ≤ 2R + 64 KiB          (JSON and base64 spell R bytes in at most this many)
/// door        encoded command ≤ R   (checked before anything is proposed: "etcdserver: request is too large")
/// store       value ≤ 32 MiB, key ≤ 32 KiB: the same on every member whatever its R (see below)
/// log entry   ≤ R + EntryEnvelopeBytes
/// Raft        one entry always fits an append and the uncommitted budget; MaxUncommittedBytes ≥ 8 entries
/// storage     a log page holds one entry record; MaxSnapshotBytes ≥ quota + snapshot framing
/// transport   a frame holds one append message (MaxAppendBytes, or one entry alone); snapshots travel in 1 MiB chunks
/// </code>
/// The store re-checks sizes when it applies a committed entry, and apply must decide the same on every member, so its
/// limits are the ceilings (constants), never a member's own R: a member with a smaller R refuses large requests at its
/// door, but applies what another member's door admitted. <see cref="Validate"/> checks each link at startup, so a change to one constant that breaks the chain stops the
/// member before it serves anything.
/// </summary>
public sealed record ServerLimits
{
    /// <summary>Bytes a log entry may carry beyond the encoded request (the entry envelope and a margin).</summary>
    public const int EntryEnvelopeBytes = 64;

    /// <summary>Largest --max-request-bytes accepted: a log page must hold one request, and pages cost memory.</summary>
    public const int MaxRequestBytesCeiling = 32 * 1024 * 1024;

    /// <summary>Bytes a snapshot holds beyond the store's quota-counted bytes: headers, the member directory.</summary>
    public const long SnapshotFramingBytes = 1024 * 1024;

    /// <summary>Largest key in bytes when the request limit allows it (keys are index entries; 32 KiB is generous).</summary>
    public const int MaxKeyBytesCeiling = 32 * 1024;

    /// <summary>Longest request target (path and query) answered; longer gets a JSON 414. Room for the largest key spelled
    /// with percent-escapes (3 bytes per key byte) in a /v1 path, plus a query.</summary>
    public const int MaxRequestTargetBytes = (3 * MaxKeyBytesCeiling) + (4 * 1024);

    /// <summary>Most header bytes (name + value + 4 per line) answered; more gets a JSON 431. Kestrel's default.</summary>
    public const int MaxRequestHeaderBytes = 32 * 1024;

    /// <summary>Most header lines answered; more gets a JSON 431. Kestrel's default.</summary>
    public const int MaxRequestHeaderCount = 100;

    /// <summary>Kestrel's own request-line and header-bytes ceilings: far enough above the limits above that a client who
    /// exceeds them by any realistic margin still gets a JSON answer (Kestrel's answers beyond this have no body), and no
    /// more than Kestrel buffers per connection anyway (1 MiB).</summary>
    public const int KestrelRequestLineBytes = 1024 * 1024;

    /// <summary>Kestrel's own header-count ceiling (see <see cref="KestrelRequestLineBytes"/>).</summary>
    public const int KestrelRequestHeaderCount = 1000;

    /// <summary>Bytes an HTTP body may carry beyond twice the request limit (JSON punctuation, field names).</summary>
    private const int HttpBodySlackBytes = 64 * 1024;

    /// <summary>Smallest Raft append budget and uncommitted budget, whatever R is (throughput of small writes).</summary>
    private const long MinAppendBytes = 1024 * 1024;
    private const long MinUncommittedBytes = 64L * 1024 * 1024;

    /// <summary>Smallest FASTER page (4 MiB) and the bytes a page keeps back from records.</summary>
    private const int MinPageSizeBits = 22;
    private const int PageSlackBytes = 64;

    /// <summary>Bytes of a storage record around one entry: record header, batch header, entry header.</summary>
    private const int StorageRecordOverheadBytes = 8 + 24 + 12 + 13;

    /// <summary>Smallest peer frame: a snapshot chunk (1 MiB) and its header fit one frame whatever R is.</summary>
    private const int MinFrameBytes = 2 * 1024 * 1024;

    /// <summary>Derives the chain from a member's options.</summary>
    public static ServerLimits From(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = options.MaxRequestBytes;
        var entry = request + EntryEnvelopeBytes;
        var quota = Math.Min(options.QuotaBackendBytes, Array.MaxLength - SnapshotFramingBytes);
        var append = Math.Max(MinAppendBytes, entry + Entry.HeaderBytes);
        var pageBits = PageBitsFor(entry);
        var limits = new ServerLimits
        {
            MaxRequestBytes = request,
            MaxHttpBodyBytes = (2 * request) + HttpBodySlackBytes,
            MaxEntryBytes = entry,
            Store = new StoreSettings { MaxValueBytes = MaxRequestBytesCeiling, MaxKeyBytes = MaxKeyBytesCeiling, QuotaBytes = quota },
            MaxAppendBytes = append,
            MaxUncommittedBytes = Math.Max(MinUncommittedBytes, 8L * (entry + Entry.HeaderBytes)),
            LogPageSizeBits = pageBits,
            LogMemorySizeBits = pageBits + 2,
            MaxSnapshotBytes = quota + SnapshotFramingBytes,
            MaxFrameBytes = Math.Max(TransportSettings.FrameBytesFor(entry, append), MinFrameBytes),
        };
        limits.Validate();
        return limits;
    }

    /// <summary>R: the largest encoded request (a store command as it enters the log) a client may send.</summary>
    public required int MaxRequestBytes { get; init; }

    /// <summary>The largest HTTP request body read at the door (enough to spell any request of R bytes in JSON).</summary>
    public required int MaxHttpBodyBytes { get; init; }

    /// <summary>The largest log entry payload (R plus the entry envelope).</summary>
    public required int MaxEntryBytes { get; init; }

    /// <summary>The store's limits at apply: the ceilings (values 32 MiB, keys 32 KiB, identical on every member) and the quota.</summary>
    public required StoreSettings Store { get; init; }

    /// <summary>Raft's soft cap of entry bytes per append message (one larger entry still goes alone).</summary>
    public required long MaxAppendBytes { get; init; }

    /// <summary>Raft's budget of proposed-but-uncommitted bytes on a leader.</summary>
    public required long MaxUncommittedBytes { get; init; }

    /// <summary>FASTER page size (bits): one page holds one storage record, so one entry.</summary>
    public required int LogPageSizeBits { get; init; }

    /// <summary>FASTER in-memory log buffer (bits): four pages.</summary>
    public required int LogMemorySizeBits { get; init; }

    /// <summary>The largest snapshot the member writes, stores and receives.</summary>
    public required long MaxSnapshotBytes { get; init; }

    /// <summary>The largest peer transport frame: one append message of <see cref="MaxAppendBytes"/>.</summary>
    public required int MaxFrameBytes { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first link of the chain that does not hold.</summary>
    public void Validate()
    {
        Require(MaxRequestBytes is >= 1024 and <= MaxRequestBytesCeiling, $"--max-request-bytes must be in [1024, {MaxRequestBytesCeiling}]");
        Require(MaxHttpBodyBytes >= 2L * MaxRequestBytes, "the HTTP body limit spells every legal request");
        Require(Store.MaxValueBytes == MaxRequestBytesCeiling && Store.MaxKeyBytes == MaxKeyBytesCeiling,
            "the store applies with the ceilings, so every member decides alike and admits every legal request");
        Require(MaxEntryBytes >= MaxRequestBytes + EntryEnvelopeBytes, "a log entry holds a legal request and its envelope");
        Require(MaxAppendBytes >= MaxEntryBytes + Entry.HeaderBytes, "one append message carries the largest entry");
        Require(MaxUncommittedBytes >= MaxEntryBytes + Entry.HeaderBytes, "the uncommitted budget admits the largest entry");
        Require(MaxEntryBytes + StorageRecordOverheadBytes <= (1 << LogPageSizeBits) - PageSlackBytes, "a log page holds the largest entry's record");
        Require(LogMemorySizeBits >= LogPageSizeBits + 1, "the log buffer holds at least two pages");
        Require(MaxSnapshotBytes >= Store.QuotaBytes + SnapshotFramingBytes && MaxSnapshotBytes <= Array.MaxLength,
            "a snapshot of a full store fits the snapshot limit and one buffer");
        Require(MaxFrameBytes >= TransportSettings.FrameBytesFor(MaxEntryBytes, MaxAppendBytes), "a transport frame carries a full append message");
        Require(MaxRequestTargetBytes >= (3 * MaxKeyBytesCeiling) + 1024 && MaxRequestTargetBytes < KestrelRequestLineBytes,
            "a /v1 path spells the largest key, and Kestrel's own (bodiless) refusal lies above the JSON one");
        Require(MaxRequestHeaderBytes < KestrelRequestLineBytes && MaxRequestHeaderCount < KestrelRequestHeaderCount,
            "Kestrel's own (bodiless) header refusals lie above the JSON ones");
    }

    /// <summary>The smallest page (bits, at least 4 MiB) whose records hold an entry of <paramref name="entryBytes"/>.</summary>
    private static int PageBitsFor(int entryBytes)
    {
        var bits = MinPageSizeBits;
        while (entryBytes + StorageRecordOverheadBytes > (1 << bits) - PageSlackBytes)
        {
            bits++;
        }

        return bits;
    }

    private static void Require(bool condition, string link)
    {
        if (!condition)
        {
            throw new ArgumentException($"limits do not form a chain: {link}.");
        }
    }
}
