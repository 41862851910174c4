using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distate.Raft;
using FASTER.core;

namespace Distate.Storage.Io;

/// <summary>
/// Finds the newest FASTER commit that recovery can trust, so that FasterLog is recovered to exactly that commit
/// (<c>FasterLog.Recover(commitNum)</c>) instead of "the latest" (<c>TryRecoverLatest</c>).
/// </summary>
/// <remarks>
/// Why: FASTER 2.6.5's fast-commit recovery scans forward from the newest metadata blob and deserialises every commit
/// record into one shared <see cref="FasterLogRecoveryInfo"/>. Its <c>Initialize</c> stores the begin and until
/// addresses before it checks the record's checksum, and the scan swallows the exception; so a commit record torn by
/// power loss (the crash write) leaves its garbage addresses in place — e.g. until = 0 — and FASTER opens an empty or
/// wrong log without an error. This scanner walks the same records with FASTER's framing (4-byte length header,
/// negative for commit records; a zero length ends the page; a record never crosses a page), validates each commit
/// record on its own copy, and stops at the first record that fails. Recover(n) of the last valid one then stops its
/// own scan at n, before the torn record.
///
/// Why a prefix holding every acknowledged append: an append is acknowledged only after the write holding the commit
/// record that covers it completed, and nothing after the crash write reaches the disk; FASTER rewrites a partially
/// filled sector with identical bytes for the part already written, so a torn rewrite leaves that commit record
/// intact. Every commit record up to the last acknowledged one therefore validates, and the scan gets past it.
///
/// Validation is stricter than FASTER's XOR checksum: Distate's commits carry no cookie and no persisted iterators, so
/// a valid record has exactly FASTER's version-1 44-byte body; its until address is its own end (FasterLog sets it
/// so), and commit numbers increase.
/// </remarks>
internal sealed unsafe class CommitRecordScanner
{
    private const int HeaderBytes = 4;
    private const int CommitBodyBytes = 44; // version, checksum, begin, until, commit num, iterator count, cookie length
    private const int RecoveryInfoVersion = 1;
    private const long FirstValidAddress = 64; // FASTER's Constants.kFirstValidAddress

    private readonly IDevice _device;
    private readonly int _pageSizeBits;
    private readonly int _segmentSizeBits;

    /// <summary>Scans the log on <paramref name="device"/> laid out with the given page and segment sizes.</summary>
    public CommitRecordScanner(IDevice device, int pageSizeBits, int segmentSizeBits)
    {
        Invariant.Check(pageSizeBits <= segmentSizeBits, "a FASTER page lies within one segment");
        Invariant.Check(pageSizeBits >= 9, "pages are whole sectors");
        _device = device;
        _pageSizeBits = pageSizeBits;
        _segmentSizeBits = segmentSizeBits;
    }

    /// <summary>Log pages read by the last <see cref="FindLastValid"/> (tests).</summary>
    public int PagesRead { get; private set; }

    /// <summary>
    /// The newest commit FASTER can be recovered to: the newest readable metadata blob, then every valid commit record
    /// after it in the log up to the first invalid one. Null when there is neither (an empty log).
    /// </summary>
    public CommitPoint? FindLastValid(ILogCommitManager commits)
    {
        var last = NewestBlob(commits);
        var pageBytes = 1 << _pageSizeBits;
        var page = (byte*)NativeMemory.AlignedAlloc((nuint)pageBytes, 4096);
        try
        {
            var address = last?.UntilAddress ?? FirstValidAddress;
            var loadedPage = -1L;
            while (true)
            {
                var pageNumber = address >> _pageSizeBits;
                if (pageNumber != loadedPage)
                {
                    ReadPage(pageNumber, page, pageBytes);
                    loadedPage = pageNumber;
                }

                var offset = (int)(address & (pageBytes - 1));
                var step = Step(new ReadOnlySpan<byte>(page, pageBytes), offset, address, ref last);
                if (step == 0)
                {
                    break;
                }

                Invariant.Check(step > 0 && offset + step <= pageBytes, "a scan step stays inside its page");
                address += step;
            }
        }
        finally
        {
            NativeMemory.AlignedFree(page);
        }

        return last;
    }

    /// <summary>
    /// Examines the record at <paramref name="offset"/> of a page; returns the bytes to advance (to the next record or
    /// the next page), or 0 where FASTER's own scan would stop: an uninitialised page, a length that crosses the page,
    /// or a commit record that fails validation. A valid commit record becomes <paramref name="last"/>.
    /// </summary>
    private static int Step(ReadOnlySpan<byte> page, int offset, long address, ref CommitPoint? last)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(page[offset..]);
        if (length == 0)
        {
            return offset == 0 ? 0 : page.Length - offset; // Zeros after the last record of a page: go to the next page.
        }

        if (length == int.MinValue)
        {
            return 0;
        }

        var bodyBytes = Math.Abs(length);
        var recordBytes = (long)HeaderBytes + ((bodyBytes + 3L) & ~3L);
        if (offset + recordBytes > page.Length)
        {
            return 0;
        }

        if (length < 0)
        {
            if (!TryDecodeCommit(page.Slice(offset + HeaderBytes, bodyBytes), out var commit)
                || commit.UntilAddress != address + recordBytes
                || (last is { } previous && (commit.CommitNum <= previous.CommitNum || commit.BeginAddress < previous.BeginAddress)))
            {
                return 0;
            }

            last = commit;
        }

        return (int)recordBytes;
    }

    /// <summary>Decodes a fast-commit record body as FASTER wrote it for Distate (version 1, no iterators, no cookie).</summary>
    private static bool TryDecodeCommit(ReadOnlySpan<byte> body, out CommitPoint commit)
    {
        commit = default;
        if (body.Length != CommitBodyBytes || BinaryPrimitives.ReadInt32LittleEndian(body) != RecoveryInfoVersion)
        {
            return false;
        }

        var checksum = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        var begin = BinaryPrimitives.ReadInt64LittleEndian(body[12..]);
        var until = BinaryPrimitives.ReadInt64LittleEndian(body[20..]);
        var number = BinaryPrimitives.ReadInt64LittleEndian(body[28..]);
        var iterators = BinaryPrimitives.ReadInt32LittleEndian(body[36..]);
        var cookieLength = BinaryPrimitives.ReadInt32LittleEndian(body[40..]);
        if (iterators != 0 || cookieLength != -1 || checksum != (begin ^ until ^ number ^ iterators ^ cookieLength))
        {
            return false;
        }

        if (begin < 0 || until < begin || number < 0)
        {
            return false;
        }

        commit = new CommitPoint(number, begin, until);
        return true;
    }

    /// <summary>The newest metadata blob FASTER would start from (its RestoreLatest / RestoreSpecificCommit rule).</summary>
    private static CommitPoint? NewestBlob(ILogCommitManager commits)
    {
        foreach (var number in commits.ListCommits())
        {
            if (commits.GetCommitMetadata(number) is not { } metadata)
            {
                continue;
            }

            var info = new FasterLogRecoveryInfo();
            try
            {
                using var reader = new BinaryReader(new MemoryStream(metadata));
                info.Initialize(reader);
            }
            catch (FasterException)
            {
                continue; // FASTER skips an unreadable blob too; blobs carry our CRC, so this is not expected.
            }

            var commitNum = info.CommitNum == -1 ? number : info.CommitNum;
            Invariant.Check(info.UntilAddress >= info.BeginAddress, "a metadata blob's until address is at or after its begin address");
            return new CommitPoint(commitNum, info.BeginAddress, info.UntilAddress);
        }

        return null;
    }

    /// <summary>Reads one whole page (zeros past the end of its segment file) into <paramref name="page"/>.</summary>
    private void ReadPage(long pageNumber, byte* page, int pageBytes)
    {
        var start = pageNumber << _pageSizeBits;
        var segment = (int)(start >> _segmentSizeBits);
        var offset = (ulong)(start & ((1L << _segmentSizeBits) - 1));
        new Span<byte>(page, pageBytes).Clear();
        using var done = new ManualResetEventSlim();
        var error = 0u;
        _device.ReadAsync(segment, offset, (IntPtr)page, (uint)pageBytes, (code, _, _) =>
        {
            error = code;
            done.Set();
        }, null);
        done.Wait();
        PagesRead++;
        if (error != 0)
        {
            throw new IOException($"reading log segment {segment} at offset {offset} failed with error {error}");
        }
    }
}
