using System.Globalization;
using Distate.Store;
using Distate.Store.Commands;

namespace Distate.Server.Rest;

/// <summary>A write's condition from If-Match / If-None-Match, checked atomically with the write as a txn compare.</summary>
/// <param name="Kind">What is required.</param>
/// <param name="ModRevision">For <see cref="RestPreconditionKind.ModRevisionEquals"/>, the expected mod revision (at least 1).</param>
internal readonly record struct RestPrecondition(RestPreconditionKind Kind, Revision ModRevision)
{
    /// <summary>No condition.</summary>
    public static readonly RestPrecondition None = new(RestPreconditionKind.None, Revision.None);

    /// <summary>True when the write is conditional.</summary>
    public bool IsSet => Kind != RestPreconditionKind.None;

    /// <summary>Parses the headers: If-Match is one ETag ("N", or bare N) or *; If-None-Match only * and only when allowed.</summary>
    public static RestPrecondition Parse(string? ifMatch, string? ifNoneMatch, bool allowIfNoneMatch)
    {
        if (ifMatch is not null && ifNoneMatch is not null)
        {
            throw RestErrors.BadRequest("send If-Match or If-None-Match, not both");
        }

        if (ifNoneMatch is not null)
        {
            if (!allowIfNoneMatch || ifNoneMatch.Trim() != "*")
            {
                throw RestErrors.BadRequest(allowIfNoneMatch
                    ? $"If-None-Match supports only * (create the key only if it does not exist); got '{ifNoneMatch}'"
                    : "If-None-Match is not supported here; use If-Match");
            }

            return new RestPrecondition(RestPreconditionKind.Absent, Revision.None);
        }

        return ifMatch is null ? None : ParseIfMatch(ifMatch.Trim());
    }

    /// <summary>The txn compare that holds exactly when this condition does (an absent key compares as version 0).</summary>
    public Compare ToCompare(byte[] key)
    {
        Invariant.Check(Kind != RestPreconditionKind.None, "an unconditional write has no compare");
        return Kind switch
        {
            RestPreconditionKind.ModRevisionEquals => new Compare
            {
                Key = key, Target = CompareTarget.Mod, Operator = CompareOperator.Equal, Number = ModRevision.Value,
            },
            RestPreconditionKind.Exists => new Compare { Key = key, Target = CompareTarget.Version, Operator = CompareOperator.Greater, Number = 0 },
            _ => new Compare { Key = key, Target = CompareTarget.Version, Operator = CompareOperator.Equal, Number = 0 },
        };
    }

    /// <summary>True when a key with this mod revision (0 when absent) satisfies the condition; used for conditional GET.</summary>
    public bool Matches(Revision currentModRevision) => Kind switch
    {
        RestPreconditionKind.ModRevisionEquals => currentModRevision == ModRevision,
        RestPreconditionKind.Exists => currentModRevision.Value > 0,
        RestPreconditionKind.Absent => currentModRevision.Value == 0,
        _ => true,
    };

    /// <summary>Parses one ETag (or *) as sent in If-None-Match on a GET; <see cref="None"/> when the header is absent.</summary>
    public static RestPrecondition ParseEntityTag(string? header) => header is null ? None : ParseIfMatch(header.Trim());

    private static RestPrecondition ParseIfMatch(string value)
    {
        if (value == "*")
        {
            return new RestPrecondition(RestPreconditionKind.Exists, Revision.None);
        }

        string digits = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long revision) || revision < 1)
        {
            throw RestErrors.BadRequest(
                $"an ETag must be one quoted mod revision such as \"42\" (or *); got '{value}' (weak and multiple ETags are not supported)");
        }

        return new RestPrecondition(RestPreconditionKind.ModRevisionEquals, new Revision(revision));
    }
}
