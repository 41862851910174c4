using Distate.Storage.Io;

namespace Distate.Storage.Tests.Simulation;

/// <summary>FASTER commit metadata kept on a <see cref="SimDisk"/> (atomic blob writes, lost after the crash).</summary>
internal sealed class SimCommitStore(SimDisk disk) : ICommitMetadataStore
{
    public void Write(long commitNum, byte[] blob) => disk.WriteBlob(commitNum, blob);

    public byte[]? Read(long commitNum) => disk.ReadBlob(commitNum);

    public IReadOnlyList<long> List() => disk.Blobs();

    public void Delete(long commitNum) => disk.DeleteBlob(commitNum);
}
