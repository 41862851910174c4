using System.Buffers.Binary;
using Distate.Store.Alarms;
using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Hashing;
using Distate.Store.Results;
using Xunit;
using static Distate.Store.Tests.Support.StoreFixture;

namespace Distate.Store.Tests.Alarms;

// Proves etcd's alarm semantics in the replicated state: while NOSPACE is raised, commands that add bytes (put, txn with a
// put in either branch, lease grant) are refused with etcd's text, and everything that frees space or reads (delete,
// compaction, lease revoke, range, txn without puts) goes through; disarming lets writes in again. The door's check
// reports a quota overrun so the server can raise the alarm. Alarm commands survive the codec, and the alarm table survives
// snapshots (format 2), while a format-1 snapshot (no alarm table) is still read. Each test drives the store directly.
public sealed class AlarmTests
{
    private static readonly AlarmMember NoSpaceOf7 = new(7, AlarmType.NoSpace);

    private static AlarmResult Raise(KvStore store, AlarmMember alarm) =>
        store.Apply(new AlarmCommand(AlarmAction.Activate, alarm)).Expect<AlarmResult>();

    private static AlarmResult Disarm(KvStore store, AlarmMember alarm) =>
        store.Apply(new AlarmCommand(AlarmAction.Deactivate, alarm)).Expect<AlarmResult>();

    private static PutCommand PutOf(string key, string value) => new() { Key = B(key), Value = B(value) };

    [Fact]
    public void Nospace_refuses_only_what_adds_bytes_until_disarmed()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        store.Put("b", "2");
        LeaseId lease = store.Grant(60);
        Assert.Equal([NoSpaceOf7], Raise(store, NoSpaceOf7).Alarms);
        Assert.Equal([NoSpaceOf7], Raise(store, NoSpaceOf7).Alarms);
        Assert.Single(store.Alarms(AlarmType.None));
        Revision before = store.CurrentRevision;

        store.Apply(PutOf("c", "3")).ExpectError(StoreErrorCode.NoSpace);
        store.Apply(new LeaseGrantCommand(new LeaseId(0), 60)).ExpectError(StoreErrorCode.NoSpace);
        store.Apply(new TxnCommand { Failure = [PutOf("c", "3")] }).ExpectError(StoreErrorCode.NoSpace);
        Assert.Equal(before, store.CurrentRevision);

        Assert.Equal(1, store.Delete("a").Deleted);
        store.Apply(new TxnCommand { Success = [new DeleteRangeCommand { Key = B("b") }] }).Expect<TxnResult>();
        store.Apply(new CompactCommand(store.CurrentRevision)).Expect<CompactResult>();
        store.Apply(new LeaseRevokeCommand(lease)).Expect<LeaseRevokeResult>();
        Assert.Equal(0, store.Prefix("").Count);

        Assert.Equal([NoSpaceOf7], Disarm(store, NoSpaceOf7).Alarms);
        Assert.Empty(Disarm(store, NoSpaceOf7).Alarms);
        Assert.Empty(store.Alarms(AlarmType.None));
        store.Put("c", "3");
        store.AssertInvariants();
    }

    [Fact]
    public void Alarms_are_listed_by_type_and_a_corrupt_alarm_does_not_cap_writes()
    {
        using var store = new KvStore();
        var corrupt = new AlarmMember(9, AlarmType.Corrupt);
        Raise(store, corrupt);
        Raise(store, NoSpaceOf7);
        Assert.Equal([NoSpaceOf7, corrupt], store.Alarms(AlarmType.None));
        Assert.Equal([corrupt], store.Alarms(AlarmType.Corrupt));
        Assert.Empty(Raise(store, new AlarmMember(1, AlarmType.None)).Alarms);
        Disarm(store, NoSpaceOf7);
        store.Put("a", "1");
        Assert.False(store.IsAlarmRaised(AlarmType.NoSpace));
        Assert.True(store.IsAlarmRaised(AlarmType.Corrupt));
    }

    [Fact]
    public void The_door_reports_a_quota_overrun_and_a_raised_alarm_apart()
    {
        using var store = new KvStore(new StoreSettings { QuotaBytes = 1000, VersionOverheadBytes = 64 });
        Assert.Null(store.CheckSpace(PutOf("k", new string('v', 500)), out bool exceeds));
        Assert.False(exceeds);
        store.Put("k", new string('v', 500));
        Assert.Equal(StoreErrorCode.NoSpace, store.CheckSpace(PutOf("k", new string('v', 500)), out exceeds));
        Assert.True(exceeds);
        Assert.Null(store.CheckSpace(new DeleteRangeCommand { Key = B("k") }, out exceeds));

        Raise(store, NoSpaceOf7);
        Assert.Equal(StoreErrorCode.NoSpace, store.CheckSpace(PutOf("x", ""), out exceeds));
        Assert.False(exceeds);
    }

    [Fact]
    public void Alarm_commands_round_trip_the_codec_and_bad_ones_are_refused()
    {
        var command = new AlarmCommand(AlarmAction.Deactivate, new AlarmMember(ulong.MaxValue, AlarmType.Corrupt));
        byte[] encoded = CommandCodec.Encode(command);
        Assert.Equal(command, CommandCodec.Decode(encoded));

        encoded[2] = 3;
        Assert.Throws<StoreCodecException>(() => CommandCodec.Decode(encoded));
        using var store = new KvStore();
        store.Apply(new AlarmCommand((AlarmAction)0, NoSpaceOf7)).ExpectError(StoreErrorCode.InvalidArgument);
        store.Apply(new AlarmCommand(AlarmAction.Activate, new AlarmMember(1, (AlarmType)5))).ExpectError(StoreErrorCode.InvalidArgument);
    }

    [Fact]
    public void Raised_alarms_survive_a_snapshot_and_keep_refusing_writes()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        Raise(store, NoSpaceOf7);
        using var image = new MemoryStream();
        store.WriteSnapshot(image);
        image.Position = 0;
        using var restored = new KvStore();
        restored.RestoreSnapshot(image);

        Assert.Equal([NoSpaceOf7], restored.Alarms(AlarmType.None));
        restored.Apply(PutOf("b", "2")).ExpectError(StoreErrorCode.NoSpace);
    }

    [Fact]
    public void A_format_1_snapshot_without_an_alarm_table_is_still_read()
    {
        using var store = new KvStore();
        store.Put("a", "1");
        using var image = new MemoryStream();
        store.WriteSnapshot(image);
        byte[] formatOne = DowngradeToFormatOne(image.ToArray());

        using var restored = new KvStore();
        restored.RestoreSnapshot(new MemoryStream(formatOne));
        Assert.Equal("1", S(restored.Get("a")!.Value));
        Assert.Empty(restored.Alarms(AlarmType.None));
    }

    /// <summary>Rewrites a format-2 snapshot of a store with small revisions, no leases and no alarms as format 1: version
    /// byte 1, no alarm count (the one-byte varint 0 after the lease count), and a fresh checksum.</summary>
    private static byte[] DowngradeToFormatOne(byte[] formatTwo)
    {
        const int versionOffset = 8;
        const int alarmCountOffset = versionOffset + 1 + 4;
        Assert.Equal(2, formatTwo[versionOffset]);
        Assert.Equal(0, formatTwo[alarmCountOffset - 1]);
        Assert.Equal(0, formatTwo[alarmCountOffset]);
        var body = formatTwo[..alarmCountOffset].Concat(formatTwo[(alarmCountOffset + 1)..^4]).ToArray();
        body[versionOffset] = 1;
        var crc = new Crc32C();
        crc.Append(body);
        var trailer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.Value);
        return [.. body, .. trailer];
    }
}
