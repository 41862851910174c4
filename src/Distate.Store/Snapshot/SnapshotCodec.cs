using Distate.Store.Alarms;
using Distate.Store.Leases;
using Distate.Store.Mvcc;

namespace Distate.Store.Snapshot;

/// <summary>Streams the whole store to and from the snapshot format: header, counters, leases, every stored version, CRC-32C.</summary>
internal static class SnapshotCodec
{
    /// <summary>Writes an image to a stream.</summary>
    public static void Write(SnapshotImage image, Stream stream)
    {
        var writer = new SnapshotWriter(stream);
        writer.WriteRaw(SnapshotFormat.Magic);
        writer.WriteByte(SnapshotFormat.Version);
        writer.WriteVarint((ulong)image.CurrentRevision);
        writer.WriteVarint((ulong)image.CompactRevision);
        writer.WriteSigned(image.NextLeaseId);
        writer.WriteVarint((ulong)image.Leases.Length);
        foreach ((long id, long granted, long remaining) in image.Leases)
        {
            writer.WriteSigned(id);
            writer.WriteVarint((ulong)granted);
            writer.WriteVarint((ulong)remaining);
        }

        writer.WriteVarint((ulong)image.Alarms.Length);
        foreach (AlarmMember alarm in image.Alarms)
        {
            writer.WriteVarint(alarm.MemberId);
            writer.WriteByte((byte)alarm.Alarm);
        }

        writer.WriteVarint((ulong)image.Versions.Length);
        foreach (KeyVersion version in image.Versions)
        {
            writer.WriteBytes(version.Owner.Key);
            writer.WriteByte(version.IsTombstone ? SnapshotFormat.TombstoneFlag : (byte)0);
            writer.WriteVarint((ulong)version.ModMain);
            writer.WriteVarint((ulong)version.ModSub);
            writer.WriteVarint((ulong)version.CreateRevision);
            writer.WriteVarint((ulong)version.Version);
            writer.WriteSigned(version.Lease);
            if (!version.IsTombstone)
            {
                writer.WriteBytes(version.Value);
            }
        }

        writer.Finish();
    }

    /// <summary>Reads a snapshot into a new state; throws <see cref="Codec.StoreCodecException"/> on any corruption.</summary>
    public static MvccState Read(Stream stream, StoreSettings settings)
    {
        var reader = new SnapshotReader(stream);
        byte format = reader.ReadHeader();
        var state = new MvccState(settings)
        {
            CurrentRevision = reader.ReadBounded(long.MaxValue, "current revision"),
            CompactRevision = reader.ReadBounded(long.MaxValue, "compact revision"),
        };
        state.Leases.NextId = reader.ReadSigned();
        if (state.CurrentRevision < 1 || state.CompactRevision > state.CurrentRevision)
        {
            throw SnapshotReader.Corrupt("revisions out of order");
        }

        ReadLeases(reader, state);
        if (format >= SnapshotFormat.AlarmsSinceVersion)
        {
            ReadAlarms(reader, state);
        }

        ReadVersions(reader, state);
        reader.VerifyTrailer();
        CheckLeaseAttachments(state);
        state.UsedBytes = state.RecountUsedBytes();
        return state;
    }

    private static void ReadLeases(SnapshotReader reader, MvccState state)
    {
        long count = reader.ReadBounded(int.MaxValue, "lease count");
        for (long i = 0; i < count; i++)
        {
            long id = reader.ReadSigned();
            long granted = reader.ReadBounded(state.Settings.MaxLeaseTtlSeconds, "granted TTL");
            long remaining = reader.ReadBounded(granted, "remaining TTL");
            if (id == 0 || state.Leases.Contains(id))
            {
                throw SnapshotReader.Corrupt($"bad or duplicate lease id {id}");
            }

            state.Leases.Add(new Lease(id, granted, remaining));
        }
    }

    private static void ReadAlarms(SnapshotReader reader, MvccState state)
    {
        long count = reader.ReadBounded(int.MaxValue, "alarm count");
        for (long i = 0; i < count; i++)
        {
            ulong member = reader.ReadVarint();
            var type = (AlarmType)reader.ReadByte();
            if (type == AlarmType.None || !Enum.IsDefined(type) || !state.Alarms.Activate(new AlarmMember(member, type)))
            {
                throw SnapshotReader.Corrupt($"bad or duplicate alarm {(byte)type} of member {member:x}");
            }
        }
    }

    private static void ReadVersions(SnapshotReader reader, MvccState state)
    {
        long count = reader.ReadBounded(int.MaxValue, "version count");
        long lastMain = 0;
        long lastSub = -1;
        for (long i = 0; i < count; i++)
        {
            byte[] key = reader.ReadBytes(state.Settings.MaxKeyBytes);
            byte flags = reader.ReadByte();
            long main = reader.ReadBounded(state.CurrentRevision, "mod revision");
            long sub = reader.ReadBounded(int.MaxValue, "sub revision");
            long create = reader.ReadBounded(main, "create revision");
            long version = reader.ReadBounded(long.MaxValue, "version");
            long lease = reader.ReadSigned();
            bool tombstone = flags == SnapshotFormat.TombstoneFlag;
            byte[]? value = tombstone ? null : reader.ReadBytes(state.Settings.MaxValueBytes);
            if (flags > SnapshotFormat.TombstoneFlag || main < 1 || (main == lastMain && sub <= lastSub) || main < lastMain)
            {
                throw SnapshotReader.Corrupt($"version {i} out of revision order or with bad flags");
            }

            AddRestoredVersion(state, key, value, main, (int)sub, create, version, lease);
            lastMain = main;
            lastSub = sub;
        }
    }

    private static void AddRestoredVersion(MvccState state, byte[] key, byte[]? value, long main, int sub, long create, long version, long lease)
    {
        if (!state.Index.TryGet(key, out KeyRecord record))
        {
            record = new KeyRecord(key);
            state.Index.Add(record);
        }

        if (record.Latest is not null && record.Latest.ModMain >= main)
        {
            throw SnapshotReader.Corrupt("a key changes twice in one revision");
        }

        if (value is not null && (create < 1 || version < 1))
        {
            throw SnapshotReader.Corrupt("a live version needs a create revision and version");
        }

        var added = new KeyVersion(record, value, main, sub, create, version, lease, record.Latest);
        record.Latest = added;
        state.Log.Append(added);
    }

    private static void CheckLeaseAttachments(MvccState state)
    {
        foreach (KeyRecord record in state.Index.All)
        {
            KeyVersion? live = record.LiveLatest;
            if (live is null || live.Lease == 0)
            {
                continue;
            }

            if (!state.Leases.Contains(live.Lease))
            {
                throw SnapshotReader.Corrupt($"a key is attached to missing lease {live.Lease}");
            }

            state.Leases.Attach(live.Lease, record);
        }
    }
}
