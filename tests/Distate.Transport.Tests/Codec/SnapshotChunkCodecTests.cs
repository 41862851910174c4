using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;
using Distate.Transport.Tests.Support;

namespace Distate.Transport.Tests.Codec;

/// <summary>
/// Proves the chunk frame codec round-trips its header, envelope and data, keeps the envelope free of snapshot data,
/// and is total on hostile input: any truncation, flipped bit, inconsistent length or wrong envelope ends in
/// <see cref="TransportProtocolException"/>, and the checksum catches corruption of any byte after it.
/// </summary>
public sealed class SnapshotChunkCodecTests
{
    private static readonly Message Snapshot = Samples.RandomSnapshot(1, 2, 300, seed: 5);

    [Fact]
    public void First_chunk_round_trips_header_envelope_and_data()
    {
        var data = Snapshot.Snapshot!.Data.Span[..100];

        var chunk = SnapshotChunkCodec.Read(RawFrames.PayloadOf(RawFrames.Chunk(ulong.MaxValue, 0, 300, Snapshot, data)));

        Assert.Equal(new SnapshotChunkHeader(ulong.MaxValue, 0, 300, 100), chunk.Header);
        Assert.True(chunk.Header.IsFirst);
        Assert.False(chunk.Header.IsLast);
        Assert.True(data.SequenceEqual(chunk.Data.Span));
        var withoutData = new Message
        {
            Type = Snapshot.Type, From = Snapshot.From, To = Snapshot.To, Term = Snapshot.Term, Index = Snapshot.Index,
            Snapshot = Snapshot.Snapshot with { Data = ReadOnlyMemory<byte>.Empty },
        };
        Samples.AssertEqual(withoutData, chunk.Envelope!);
    }

    [Fact]
    public void Later_chunk_round_trips_without_an_envelope()
    {
        var data = Snapshot.Snapshot!.Data.Span[200..];

        var chunk = SnapshotChunkCodec.Read(RawFrames.PayloadOf(RawFrames.Chunk(3, 200, 300, null, data)));

        Assert.Equal(new SnapshotChunkHeader(3, 200, 300, 100), chunk.Header);
        Assert.True(chunk.Header.IsLast);
        Assert.Null(chunk.Envelope);
        Assert.True(data.SequenceEqual(chunk.Data.Span));
    }

    [Fact]
    public void Empty_snapshot_is_one_empty_first_chunk()
    {
        var empty = Samples.Snapshot(1, 2, 0);

        var chunk = SnapshotChunkCodec.Read(RawFrames.PayloadOf(RawFrames.Chunk(1, 0, 0, empty, [])));

        Assert.True(chunk.Header.IsFirst && chunk.Header.IsLast);
        Assert.Equal(0, chunk.Data.Length);
        Assert.Equal(empty.Snapshot!.Metadata, chunk.Envelope!.Snapshot!.Metadata);
    }

    [Fact]
    public void Header_stays_within_its_documented_bound_at_the_largest_values()
    {
        var envelope = RaftMessageCodec.EncodeEnvelope(Snapshot);
        var destination = new byte[SnapshotChunkCodec.MaxHeaderBytesWith(envelope.Length)];
        byte[] data = [1];

        var first = SnapshotChunkCodec.WriteHeader(new SnapshotChunkHeader(ulong.MaxValue, 0, long.MaxValue, 1), envelope, data, destination);
        var later = SnapshotChunkCodec.WriteHeader(new SnapshotChunkHeader(ulong.MaxValue, long.MaxValue - 1, long.MaxValue, 1), [], data, destination);

        Assert.True(first <= SnapshotChunkCodec.MaxHeaderBytesWith(envelope.Length));
        Assert.True(later <= SnapshotChunkCodec.MaxHeaderBytes);
        Assert.Equal(SnapshotChunkCodec.MaxHeaderBytes, TransportSettings.SnapshotChunkHeaderBytes);
    }

    [Fact]
    public void Envelope_is_the_message_without_its_snapshot_data()
    {
        var envelope = RaftMessageCodec.EncodeEnvelope(Snapshot);

        Assert.Equal(RaftMessageCodec.Measure(Snapshot) - 300 - 1, envelope.Length); // the data and one byte of its length varint
        Assert.True(RaftMessageCodec.Read(envelope).Snapshot!.Data.IsEmpty);
    }

    [Fact]
    public void Every_flipped_byte_after_the_checksum_is_caught()
    {
        var frame = RawFrames.PayloadOf(RawFrames.Chunk(9, 0, 300, Snapshot, Snapshot.Snapshot!.Data.Span[..50]));

        for (var position = 6; position < frame.Length; position++)
        {
            var corrupted = (byte[])frame.Clone();
            corrupted[position] ^= 0x10;
            var exception = Assert.Throws<TransportProtocolException>(() => SnapshotChunkCodec.Read(corrupted));
            Assert.Contains("checksum mismatch", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_truncation_throws_a_protocol_exception()
    {
        var frame = RawFrames.PayloadOf(RawFrames.Chunk(9, 0, 300, Snapshot, Snapshot.Snapshot!.Data.Span[..50]));

        for (var length = 1; length < frame.Length; length++)
        {
            Assert.Throws<TransportProtocolException>(() => SnapshotChunkCodec.Read(frame.AsMemory(0, length)));
        }
    }

    [Fact]
    public void Unknown_chunk_version_is_rejected_by_name()
    {
        var frame = RawFrames.PayloadOf(RawFrames.Chunk(9, 0, 300, Snapshot, Snapshot.Snapshot!.Data.Span[..50]));
        frame[1] = 7;

        var exception = Assert.Throws<TransportProtocolException>(() => SnapshotChunkCodec.Read(frame));
        Assert.Contains("snapshot chunk version 7", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, 0L, 10L, 10, "snapshot id 0")]          // ids start at 1
    [InlineData(1UL, 20L, 10L, 1, "offset 20 beyond total 10")]
    [InlineData(1UL, 5L, 10L, 6, "does not fit a snapshot of 10 bytes")]
    [InlineData(1UL, 5L, 10L, 0, "does not fit a snapshot of 10 bytes")] // an empty chunk of a non-empty snapshot
    public void Inconsistent_header_is_rejected(ulong id, long offset, long total, int dataBytes, string expected)
    {
        var payload = HandWrittenChunk(id, offset, total, dataBytes);

        var exception = Assert.Throws<TransportProtocolException>(() => SnapshotChunkCodec.Read(payload));
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Envelope_that_is_not_a_data_free_Snapshot_message_is_rejected()
    {
        var heartbeat = Samples.Heartbeat(1, 2, 3);
        var withData = Samples.Snapshot(1, 2, 4);

        Assert.Contains("Heartbeat message without a snapshot", ReadWithEnvelope(Encode(heartbeat)), StringComparison.Ordinal);
        Assert.Contains("with snapshot data", ReadWithEnvelope(Encode(withData)), StringComparison.Ordinal);
        Assert.Contains("snapshot 1 envelope: ", ReadWithEnvelope([99]), StringComparison.Ordinal);
    }

    [Fact]
    public void Random_corruption_either_decodes_or_throws_a_protocol_exception()
    {
        var frame = RawFrames.PayloadOf(RawFrames.Chunk(9, 0, 300, Snapshot, Snapshot.Snapshot!.Data.Span[..50]));
        var random = new Random(20240601);

        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var corrupted = (byte[])frame.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(1, corrupted.Length)] = (byte)random.Next(256);
            }

            try
            {
                SnapshotChunkCodec.Read(corrupted.AsMemory(0, random.Next(2) == 0 ? corrupted.Length : random.Next(1, corrupted.Length + 1)));
            }
            catch (TransportProtocolException)
            {
                // Expected for most corruptions; anything else fails the test.
            }
        }
    }

    /// <summary>A chunk payload written field by field, bypassing the writer's own checks, with a valid checksum.</summary>
    private static byte[] HandWrittenChunk(ulong id, long offset, long total, int dataBytes, byte[]? envelope = null)
    {
        var body = new List<byte>();
        AddVarint(body, id);
        AddVarint(body, (ulong)offset);
        AddVarint(body, (ulong)total);
        if (offset == 0)
        {
            envelope ??= RaftMessageCodec.EncodeEnvelope(Samples.Snapshot(1, 2, 0));
            AddVarint(body, (ulong)envelope.Length);
            body.AddRange(envelope);
        }

        AddVarint(body, (ulong)dataBytes);
        body.AddRange(new byte[dataBytes]);
        var payload = new byte[6 + body.Count];
        payload[0] = (byte)FrameKind.SnapshotChunk;
        payload[1] = SnapshotChunkCodec.Version;
        body.CopyTo(payload, 6);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(2), Crc32C.Compute(payload.AsSpan(6)));
        return payload;
    }

    private static string ReadWithEnvelope(byte[] envelope) =>
        Assert.Throws<TransportProtocolException>(() => SnapshotChunkCodec.Read(HandWrittenChunk(1, 0, 4, 4, envelope))).Message;

    private static byte[] Encode(Message message)
    {
        var buffer = new byte[RaftMessageCodec.Measure(message)];
        RaftMessageCodec.Write(message, buffer);
        return buffer;
    }

    private static void AddVarint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
    }
}
