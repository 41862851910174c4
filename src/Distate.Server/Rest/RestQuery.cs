using System.Globalization;

namespace Distate.Server.Rest;

/// <summary>Strict parsing of query parameters: unknown or repeated names and malformed values are refused with a 400 that
/// names the parameter, so a typo such as <c>?prefx=true</c> never silently reads a single key.</summary>
internal static class RestQuery
{
    /// <summary>Refuses any parameter not in <paramref name="known"/> and any parameter given twice.</summary>
    public static void EnsureKnown(IQueryCollection query, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var (name, values) in query)
        {
            if (Array.IndexOf(known, name) < 0)
            {
                throw RestErrors.BadRequest(known.Length == 0
                    ? $"unknown query parameter '{name}'; this endpoint takes none"
                    : $"unknown query parameter '{name}'; this endpoint takes {string.Join(", ", known)}");
            }

            if (values.Count > 1)
            {
                throw RestErrors.BadRequest($"query parameter '{name}' is given {values.Count} times; give it once");
            }
        }
    }

    /// <summary>A boolean flag: absent is false; empty, "true" or "1" is true; "false" or "0" is false.</summary>
    public static bool Flag(string name, string? text) => text switch
    {
        null => false,
        "" or "true" or "1" => true,
        "false" or "0" => false,
        _ => throw RestErrors.BadRequest($"query parameter '{name}' must be true or false; got '{text}'"),
    };

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>; <paramref name="absent"/> when not given.</summary>
    public static long Number(string name, string? text, long minimum, long maximum, long absent)
    {
        if (text is null)
        {
            return absent;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < minimum || value > maximum)
        {
            string range = maximum == long.MaxValue ? $"a whole number of at least {minimum}" : $"a whole number from {minimum} to {maximum}";
            throw RestErrors.BadRequest($"query parameter '{name}' must be {range}; got '{text}'");
        }

        return value;
    }

    /// <summary>The read consistency: false for linearizable (the default), true for serializable.</summary>
    public static bool Serializable(string? text) => text switch
    {
        null or "linearizable" => false,
        "serializable" => true,
        _ => throw RestErrors.BadRequest($"query parameter 'consistency' must be linearizable or serializable; got '{text}'"),
    };
}
