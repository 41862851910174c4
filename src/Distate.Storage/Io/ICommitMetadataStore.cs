namespace Distate.Storage.Io;

/// <summary>
/// Where FASTER's commit metadata blobs live. Each write must be atomic and durable when it returns (a reader sees
/// the old set of blobs or the new one, never a partial blob); the simulated disk in the tests implements it too.
/// </summary>
internal interface ICommitMetadataStore
{
    /// <summary>Durably stores <paramref name="blob"/> under <paramref name="commitNum"/>, replacing any blob with that number.</summary>
    void Write(long commitNum, byte[] blob);

    /// <summary>The blob stored under <paramref name="commitNum"/>, or null if there is none.</summary>
    byte[]? Read(long commitNum);

    /// <summary>Every stored commit number, in any order.</summary>
    IReadOnlyList<long> List();

    /// <summary>Removes the blob stored under <paramref name="commitNum"/>, if any.</summary>
    void Delete(long commitNum);
}
