namespace Distate.Server.Rest;

/// <summary>What a write requires of the key before it runs.</summary>
internal enum RestPreconditionKind
{
    /// <summary>Nothing: the write is unconditional.</summary>
    None = 0,

    /// <summary>If-Match: "N": the key exists with mod revision N.</summary>
    ModRevisionEquals,

    /// <summary>If-Match: *: the key exists.</summary>
    Exists,

    /// <summary>If-None-Match: *: the key does not exist (create only).</summary>
    Absent,
}
