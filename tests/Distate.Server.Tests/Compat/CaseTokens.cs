using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Distate.Server.Tests.Compat;

/// <summary>
/// Per-system values later cases refer to: <c>$rev</c> is the last header.revision that system answered, <c>$id</c>
/// the last top-level "ID" (lease grant). Each system's body is filled from its own answers, so a case such as
/// "range at $rev-1" means the same thing to both even if their revisions ever drift apart.
/// </summary>
public sealed partial class CaseTokens
{
    private long _revision;
    private string _id = "0";

    /// <summary>The body with every token replaced.</summary>
    public string Replace(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var replaced = RevisionToken().Replace(body, match =>
        {
            var offset = match.Groups[1].Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return (_revision + offset).ToString(CultureInfo.InvariantCulture);
        });
        return replaced.Replace("$id", _id, StringComparison.Ordinal);
    }

    /// <summary>Remembers the revision and id of an answer, if it has them.</summary>
    public void Observe(CompatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            return;
        }

        if (json.TryGetProperty("header", out var header) && header.TryGetProperty("revision", out var revision) &&
            long.TryParse(revision.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            _revision = value;
        }

        if (json.TryGetProperty("ID", out var id))
        {
            _id = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
        }
    }

    [GeneratedRegex(@"\$rev([+-]\d+)?")]
    private static partial Regex RevisionToken();
}
