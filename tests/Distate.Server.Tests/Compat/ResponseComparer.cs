using System.Text.Json;

namespace Distate.Server.Tests.Compat;

/// <summary>
/// Compares our answer with etcd's: the HTTP status, the set of property names of every object at every depth, the
/// JSON kind of every value (string, number, bool, object, array, null), array lengths, and scalar values except at
/// volatile paths (ids, terms, sizes, versions, hashes) whose values legitimately differ between two clusters.
/// Property order is not compared: JSON objects are unordered.
/// </summary>
public static class ResponseComparer
{
    /// <summary>Every difference between <paramref name="etcd"/> and <paramref name="distate"/>.</summary>
    /// <param name="etcd">etcd's answer.</param>
    /// <param name="distate">Our answer.</param>
    /// <param name="volatilePaths">Paths whose values are not compared, with array indices written "[]" ("members[].ID").</param>
    public static List<ShapeDifference> Compare(CompatResponse etcd, CompatResponse distate, IReadOnlySet<string> volatilePaths)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(distate);
        var differences = new List<ShapeDifference>();
        if (etcd.Status != distate.Status)
        {
            differences.Add(new("status", ((int)etcd.Status).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ((int)distate.Status).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (etcd.Json is { } e && distate.Json is { } d)
        {
            CompareValues(e, d, "", "", volatilePaths, differences);
        }
        else if (etcd.Json is not null || distate.Json is not null || etcd.Text != distate.Text)
        {
            differences.Add(new("body", DescribeBody(etcd), DescribeBody(distate)));
        }

        return differences;
    }

    private static void CompareValues(
        JsonElement etcd, JsonElement distate, string path, string pattern, IReadOnlySet<string> volatilePaths, List<ShapeDifference> differences)
    {
        if (Kind(etcd) != Kind(distate))
        {
            differences.Add(new(Shown(path), Describe(etcd), Describe(distate)));
            return;
        }

        switch (etcd.ValueKind)
        {
            case JsonValueKind.Object:
                CompareObjects(etcd, distate, path, pattern, volatilePaths, differences);
                break;
            case JsonValueKind.Array:
                CompareArrays(etcd, distate, path, pattern, volatilePaths, differences);
                break;
            default:
                if (!volatilePaths.Contains(pattern) && etcd.GetRawText() != distate.GetRawText())
                {
                    differences.Add(new(Shown(path), etcd.GetRawText(), distate.GetRawText()));
                }

                break;
        }
    }

    private static void CompareObjects(
        JsonElement etcd, JsonElement distate, string path, string pattern, IReadOnlySet<string> volatilePaths, List<ShapeDifference> differences)
    {
        foreach (var property in etcd.EnumerateObject())
        {
            var childPath = Join(path, property.Name);
            if (distate.TryGetProperty(property.Name, out var ours))
            {
                CompareValues(property.Value, ours, childPath, Join(pattern, property.Name), volatilePaths, differences);
            }
            else
            {
                differences.Add(new(childPath, Describe(property.Value), "absent"));
            }
        }

        foreach (var property in distate.EnumerateObject())
        {
            if (!etcd.TryGetProperty(property.Name, out _))
            {
                differences.Add(new(Join(path, property.Name), "absent", Describe(property.Value)));
            }
        }
    }

    private static void CompareArrays(
        JsonElement etcd, JsonElement distate, string path, string pattern, IReadOnlySet<string> volatilePaths, List<ShapeDifference> differences)
    {
        var etcdLength = etcd.GetArrayLength();
        var ourLength = distate.GetArrayLength();
        if (etcdLength != ourLength)
        {
            differences.Add(new(Shown(path), Describe(etcd), Describe(distate)));
        }

        for (var i = 0; i < Math.Min(etcdLength, ourLength); i++)
        {
            CompareValues(etcd[i], distate[i], $"{path}[{i}]", pattern + "[]", volatilePaths, differences);
        }
    }

    /// <summary>The kind that must match: true and false are both "bool".</summary>
    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "bool",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()}",
        _ => $"{Kind(value)} {value.GetRawText()}",
    };

    private static string DescribeBody(CompatResponse response)
    {
        if (response.Json is not null)
        {
            return "JSON";
        }

        var text = response.Text.Trim();
        return $"text \"{(text.Length > 80 ? text[..80] + "..." : text)}\"";
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Shown(string path) => path.Length == 0 ? "(root)" : path;
}
