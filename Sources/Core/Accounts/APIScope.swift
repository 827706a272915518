/// What a personal API token may do. A session (the panel) may do everything; a token only what
/// its scopes name, and never manage the account itself (password, tokens, webhooks, deletion).
public enum APIScope: String, CaseIterable, Sendable, Codable, Comparable {
    case eventsRead = "events:read"
    case eventsWrite = "events:write"
    case statsRead = "stats:read"

    public static func < (lhs: APIScope, rhs: APIScope) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How a request was authenticated, which decides what it may reach.
public enum Grant: Sendable, Equatable {
    /// A signed-in session (cookie or its bearer token): everything of the account.
    case session(id: Int64)
    /// A personal API token: only routes its scopes name.
    case token(id: Int64, scopes: Set<APIScope>)
}
