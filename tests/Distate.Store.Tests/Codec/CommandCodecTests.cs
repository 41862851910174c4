using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Results;
using Distate.Store.Tests.Support;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Codec;

// Proves the log-entry codec: every command kind round-trips (decode then encode gives the same bytes, so encoding is
// deterministic), applying decoded bytes gives the same result, and malformed input (every truncation, a flipped
// version, an unknown kind, trailing bytes, absurd counts) is rejected with StoreCodecException, never anything else.
public sealed class CommandCodecTests
{
    public static TheoryData<StoreCommand> Commands() =>
    [
        new PutCommand { Key = B("k"), Value = B("v"), Lease = new LeaseId(-7), PrevKv = true, IgnoreLease = false },
        new PutCommand { Key = B("k"), IgnoreValue = true, IgnoreLease = true },
        new DeleteRangeCommand { Key = B("a"), RangeEnd = KeyRanges.FromKey, PrevKv = true },
        new RangeCommand
        {
            Key = B("a"), RangeEnd = B("z"), Limit = 10, Revision = new Revision(5), SortOrder = SortOrder.Descend,
            SortTarget = SortTarget.Value, KeysOnly = true, CountOnly = true, MinModRevision = new Revision(1),
            MaxModRevision = new Revision(2), MinCreateRevision = new Revision(3), MaxCreateRevision = new Revision(long.MaxValue),
        },
        new TxnCommand
        {
            Compares = [new Compare { Key = B("a"), RangeEnd = B("b"), Target = CompareTarget.Value, Operator = CompareOperator.NotEqual, Value = B("x") }],
            Success = [new PutCommand { Key = B("a"), Value = B("1") }, new TxnCommand { Failure = [new RangeCommand { Key = B("q") }] }],
            Failure = [new DeleteRangeCommand { Key = B("a") }],
        },
        new CompactCommand(new Revision(42)),
        new LeaseGrantCommand(new LeaseId(long.MinValue), 60),
        new LeaseRevokeCommand(new LeaseId(3)),
        new LeaseCheckpointCommand([new LeaseCheckpoint(new LeaseId(1), 10), new LeaseCheckpoint(new LeaseId(2), 0)]),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_round_trips_to_identical_bytes(StoreCommand command)
    {
        byte[] encoded = CommandCodec.Encode(command);
        StoreCommand decoded = CommandCodec.Decode(encoded);
        Assert.Equal(command.GetType(), decoded.GetType());
        Assert.Equal(encoded, CommandCodec.Encode(decoded));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_truncation_and_trailing_byte_is_rejected(StoreCommand command)
    {
        byte[] encoded = CommandCodec.Encode(command);
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<StoreCodecException>(() => CommandCodec.Decode(encoded.AsSpan(0, length)));
        }

        Assert.Throws<StoreCodecException>(() => CommandCodec.Decode([.. encoded, 0]));
    }

    [Fact]
    public void Unknown_version_kind_and_absurd_counts_are_rejected()
    {
        byte[] put = CommandCodec.Encode(new PutCommand { Key = B("k"), Value = B("v") });
        byte[] badVersion = (byte[])put.Clone();
        badVersion[0] = 9;
        Assert.Contains("version", Assert.Throws<StoreCodecException>(() => CommandCodec.Decode(badVersion)).Message, StringComparison.Ordinal);
        Assert.Throws<StoreCodecException>(() => CommandCodec.Decode([CommandCodec.FormatVersion, 99]));
        Assert.Throws<StoreCodecException>(() => CommandCodec.Decode([CommandCodec.FormatVersion, 4, 0xff, 0xff, 0xff, 0xff, 0x0f]));
        Assert.Throws<StoreCodecException>(() => CommandCodec.Decode([CommandCodec.FormatVersion, 1, 0xff, 0xff, 0x03]));
    }

    [Fact]
    public void Random_mutations_decode_or_throw_only_codec_exceptions_and_never_crash_apply()
    {
        var random = new Random(7);
        byte[][] valid = [.. Commands().Cast<object[]>().Select(row => CommandCodec.Encode((StoreCommand)row[0]))];
        using var store = new KvStore();
        int decoded = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = (byte[])valid[i % valid.Length].Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            StoreCommand command;
            try
            {
                command = CommandCodec.Decode(bytes);
            }
            catch (StoreCodecException)
            {
                continue;
            }

            decoded++;
            Assert.NotNull(store.Apply(command));
        }

        Assert.True(decoded > 100, $"only {decoded} mutations decoded; the test must also exercise apply");
        store.AssertInvariants();
    }

    [Fact]
    public void Applying_encoded_bytes_matches_applying_the_command()
    {
        using var direct = new KvStore();
        using var viaBytes = new KvStore();
        var put = new PutCommand { Key = B("k"), Value = B("v") };
        direct.Apply(put).Expect<PutResult>();
        viaBytes.Apply(CommandCodec.Encode(put)).Expect<PutResult>();
        Assert.Equal(direct.HashKv(Revision.None), viaBytes.HashKv(Revision.None));
    }
}
