import Foundation

/// A personal API token as its owner may see it: never the secret, which exists only in the
/// creation answer (the database keeps its SHA-256).
public struct APIToken: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var scopes: [APIScope]
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(id: Int64, userID: Int64, name: String, scopes: [APIScope], createdAt: Date, expiresAt: Date?, lastUsedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// One signed-in session. Deliberately nothing about the device: no address, no user agent.
public struct SessionInfo: Sendable, Equatable {
    public var id: Int64
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: Int64, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The single-use links mailed to an organizer.
public enum AccountTokenPurpose: String, Sendable, CaseIterable {
    case passwordReset = "password_reset"
    case emailChange = "email_change"

    /// How long a link works: a reset link is a password, so it lives briefly.
    public var lifetime: TimeInterval {
        switch self {
        case .passwordReset: 3_600
        case .emailChange: 86_400
        }
    }
}

/// What redeeming a mailed link gave: whose it was, and for an e-mail change the new address.
public struct RedeemedAccountToken: Sendable, Equatable {
    public var userID: Int64
    public var newEmail: String?

    public init(userID: Int64, newEmail: String?) {
        self.userID = userID
        self.newEmail = newEmail
    }
}

/// What `deleteAccount` erased, so the caller can remove the published files too.
public struct DeletedAccount: Sendable {
    /// Events and tombstones of the organizer, by public id.
    public var publicIDs: [PublicID]
    public var feedID: PublicID

    public init(publicIDs: [PublicID], feedID: PublicID) {
        self.publicIDs = publicIDs
        self.feedID = feedID
    }
}
