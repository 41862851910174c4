using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Tests.Support;

namespace Distate.Transport.Tests.Codec;

/// <summary>
/// Proves the codec is lossless for every message type and total on hostile input: every truncation, corruption or
/// absurd count ends in <see cref="TransportProtocolException"/>, never another exception, a hang or a huge allocation.
/// </summary>
public sealed class RaftMessageCodecTests
{
    public static TheoryData<MessageType> AllTypes()
    {
        var data = new TheoryData<MessageType>();
        foreach (var type in Enum.GetValues<MessageType>())
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Full_message_of_every_type_round_trips(MessageType type)
    {
        var message = Samples.Full(type, new NodeId(1), new NodeId(ulong.MaxValue));

        var decoded = RoundTrip(message);

        Samples.AssertEqual(message, decoded);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Default_message_of_every_type_round_trips_and_is_small(MessageType type)
    {
        var message = new Message { Type = type, From = new NodeId(1), To = new NodeId(2) };

        var decoded = RoundTrip(message);

        Samples.AssertEqual(message, decoded);
        Assert.Equal(12, RaftMessageCodec.Measure(message));
    }

    [Fact]
    public void Empty_snapshot_stays_distinct_from_no_snapshot()
    {
        var message = new Message { Type = MessageType.Snapshot, From = new NodeId(1), To = new NodeId(2), Snapshot = Snapshot.Empty };

        var decoded = RoundTrip(message);

        Assert.NotNull(decoded.Snapshot);
        Assert.True(decoded.Snapshot.IsEmpty);
    }

    [Fact]
    public void Every_truncation_throws_a_protocol_exception()
    {
        var encoded = Encode(Samples.Full(MessageType.Append, new NodeId(3), new NodeId(300)));

        for (var length = 0; length < encoded.Length; length++)
        {
            var prefix = encoded[..length];
            var exception = Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read(prefix));
            Assert.False(string.IsNullOrWhiteSpace(exception.Message));
        }
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var encoded = Encode(Samples.Heartbeat(1, 2, 3));

        var exception = Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read([.. encoded, 0]));
        Assert.Contains("trailing", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_version_type_and_flags_are_rejected_with_their_names()
    {
        var encoded = Encode(Samples.Heartbeat(1, 2, 3));

        Assert.Contains("version 9", Mutated(encoded, 0, 9), StringComparison.Ordinal);
        Assert.Contains("unknown message type 200", Mutated(encoded, 1, 200), StringComparison.Ordinal);
        Assert.Contains("unknown flags", Mutated(encoded, 2, 0x80), StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_entry_count_is_rejected_before_allocating()
    {
        // version, type Append, flags, eight zero varints, then an entry count of 2^40 with nothing behind it.
        byte[] frame = [RaftMessageCodec.Version, (byte)MessageType.Append, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
        var before = GC.GetAllocatedBytesForCurrentThread();

        var exception = Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read(frame));

        Assert.Contains("entry count", exception.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "no allocation proportional to the claimed count");
    }

    [Fact]
    public void Overlong_varint_is_rejected()
    {
        byte[] frame = [RaftMessageCodec.Version, (byte)MessageType.Heartbeat, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];

        Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read(frame));
    }

    [Fact]
    public void Unsorted_or_overlapping_membership_is_rejected_not_asserted()
    {
        var message = Samples.Snapshot(1, 2, 0);
        var encoded = Encode(message);
        // The snapshot section ends with: voters count 2, 1, 2, learners count 0, data length 0. Make the voters 2, 2.
        var votersAt = encoded.Length - 5;
        Assert.Equal(2, encoded[votersAt]);
        encoded[votersAt + 1] = 2;

        var exception = Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read(encoded));
        Assert.Contains("strictly increasing", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_corruption_either_decodes_or_throws_a_protocol_exception()
    {
        var encoded = Encode(Samples.Full(MessageType.Snapshot, new NodeId(5), new NodeId(6)));
        var random = new Random(20240501);

        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var corrupted = (byte[])encoded.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(2) == 0 ? corrupted.Length : random.Next(corrupted.Length + 1);
            try
            {
                RaftMessageCodec.Read(corrupted.AsSpan(0, length));
            }
            catch (TransportProtocolException)
            {
                // Expected for most corruptions; anything else fails the test.
            }
        }
    }

    private static byte[] Encode(Message message)
    {
        var buffer = new byte[RaftMessageCodec.Measure(message)];
        Assert.Equal(buffer.Length, RaftMessageCodec.Write(message, buffer));
        return buffer;
    }

    private static Message RoundTrip(Message message) => RaftMessageCodec.Read(Encode(message));

    private static string Mutated(byte[] encoded, int position, byte value)
    {
        var copy = (byte[])encoded.Clone();
        copy[position] = value;
        return Assert.Throws<TransportProtocolException>(() => RaftMessageCodec.Read(copy)).Message;
    }
}
