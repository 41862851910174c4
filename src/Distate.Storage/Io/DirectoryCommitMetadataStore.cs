using System.Globalization;
using Distate.Raft;

namespace Distate.Storage.Io;

/// <summary>
/// Commit metadata as files <c>commit.&lt;num&gt;</c> in one directory: written to a temporary file, fsynced, renamed
/// into place and the directory fsynced, so a file with a final name is always complete and its name is durable.
/// </summary>
internal sealed class DirectoryCommitMetadataStore : ICommitMetadataStore
{
    private const string Prefix = "commit.";
    private const string TempSuffix = ".tmp";
    private readonly string _directory;
    private readonly Action<string> _syncDirectory;

    /// <summary>Uses (and creates) <paramref name="directory"/>; <paramref name="syncDirectory"/> makes its entries durable.</summary>
    public DirectoryCommitMetadataStore(string directory, Action<string> syncDirectory)
    {
        _directory = directory;
        _syncDirectory = syncDirectory;
        Directory.CreateDirectory(directory);
        foreach (var temp in Directory.GetFiles(directory, Prefix + "*" + TempSuffix))
        {
            File.Delete(temp); // Never renamed into place, so never read.
        }
    }

    /// <inheritdoc />
    public void Write(long commitNum, byte[] blob)
    {
        Invariant.Check(commitNum >= 0, "commit numbers are not negative");
        var path = PathOf(commitNum);
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            stream.Write(blob);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        _syncDirectory(_directory);
        Invariant.Check(File.Exists(path), "renamed commit metadata file must exist");
    }

    /// <inheritdoc />
    public byte[]? Read(long commitNum)
    {
        var path = PathOf(commitNum);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<long> List()
    {
        var numbers = new List<long>();
        foreach (var file in Directory.GetFiles(_directory, Prefix + "*"))
        {
            var name = Path.GetFileName(file);
            if (long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                numbers.Add(number);
            }
        }

        return numbers;
    }

    /// <inheritdoc />
    public void Delete(long commitNum) => File.Delete(PathOf(commitNum));

    private string PathOf(long commitNum) => Path.Combine(_directory, Prefix + commitNum.ToString("D20", CultureInfo.InvariantCulture));
}
