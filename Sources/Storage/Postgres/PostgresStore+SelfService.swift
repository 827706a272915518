import Core
import Foundation
import PostgresNIO

/// Self-service accounts and personal API tokens: the twin of `SQLiteStore+Accounts`.
extension PostgresStore {

    static func decodeUser(_ row: PostgresRow) throws -> User {
        let (id, email, fullName, createdAt, feedID) = try row.decode((Int64, String, String?, Int64, String?).self)
        guard let feedID = feedID.flatMap(PublicID.init) else { throw StorageError.corruptRow(table: "users", id: id) }
        return User(id: id, email: email, fullName: fullName, createdAt: Date(epochSeconds: createdAt), feedID: feedID)
    }

    public func user(id: Int64) throws -> User? {
        try read { connection in try connection.run("SELECT id, email, full_name, created_at, feed_id FROM users WHERE id = \(id)").first.map(Self.decodeUser) }
    }

    public func credentials(userID: Int64) throws -> Credentials? {
        try read { connection in
            try connection.run("SELECT id, email, full_name, created_at, feed_id, password_hash FROM users WHERE id = \(userID)").first.map { row in
                Credentials(user: try Self.decodeUser(row), passwordHash: try row.makeRandomAccess()[5].decode(String.self))
            }
        }
    }

    public func session(tokenHash: String, now: Date) throws -> SignedInSession? {
        try read { connection in
            try connection.run(
                """
                SELECT users.id, users.email, users.full_name, users.created_at, users.feed_id, sessions.id FROM sessions
                JOIN users ON users.id = sessions.user_id
                WHERE sessions.token_hash = \(tokenHash) AND sessions.expires_at > \(now.epochSeconds)
                """
            ).first.map { row in SignedInSession(user: try Self.decodeUser(row), sessionID: try row.makeRandomAccess()[5].decode(Int64.self)) }
        }
    }

    public func sessions(userID: Int64, now: Date) throws -> [SessionInfo] {
        try read { connection in
            try connection.run(
                """
                SELECT id, created_at, expires_at FROM sessions WHERE user_id = \(userID) AND expires_at > \(now.epochSeconds)
                ORDER BY created_at DESC, id DESC
                """
            ).map { row in
                let (id, created, expires) = try row.decode((Int64, Int64, Int64).self)
                return SessionInfo(id: id, createdAt: Date(epochSeconds: created), expiresAt: Date(epochSeconds: expires))
            }
        }
    }

    public func deleteSession(id: Int64, userID: Int64) throws -> Bool {
        try statement { connection in
            try connection.run("DELETE FROM sessions WHERE id = \(id) AND user_id = \(userID) RETURNING id").first != nil
        }
    }

    public func setPassword(userID: Int64, passwordHash: String, keepingSession: Int64?, now: Date) throws {
        try write { connection in
            guard
                try connection.run(
                    "UPDATE users SET password_hash = \(passwordHash), updated_at = \(now.epochSeconds) WHERE id = \(userID) RETURNING id"
                ).first != nil
            else { throw StorageError.notFound }
            try connection.run("DELETE FROM sessions WHERE user_id = \(userID) AND id <> \(keepingSession ?? 0)")
            try connection.run("DELETE FROM account_tokens WHERE user_id = \(userID) AND purpose = \(AccountTokenPurpose.passwordReset.rawValue)")
        }
    }

    public func createAccountToken(userID: Int64, purpose: AccountTokenPurpose, tokenHash: String, newEmail: String?, now: Date) throws {
        try write { connection in
            try connection.run(
                """
                INSERT INTO account_tokens (user_id, purpose, token_hash, new_email, created_at, expires_at)
                VALUES (\(userID), \(purpose.rawValue), \(tokenHash), \(newEmail), \(now.epochSeconds), \(now.epochSeconds + Int64(purpose.lifetime)))
                """)
            try connection.run("DELETE FROM account_tokens WHERE expires_at <= \(now.epochSeconds)")
        }
    }

    public func redeemAccountToken(tokenHash: String, purpose: AccountTokenPurpose, now: Date) throws -> RedeemedAccountToken? {
        try statement { connection in
            // One statement: of two requests racing with the same link, exactly one gets the row.
            guard
                let row = try connection.run(
                    "DELETE FROM account_tokens WHERE token_hash = \(tokenHash) AND purpose = \(purpose.rawValue) RETURNING user_id, new_email, expires_at"
                ).first
            else { return nil }
            let (userID, newEmail, expires) = try row.decode((Int64, String?, Int64).self)
            return expires > now.epochSeconds ? RedeemedAccountToken(userID: userID, newEmail: newEmail) : nil
        }
    }

    public func setEmail(userID: Int64, email: String, now: Date) throws -> User {
        try write { connection in
            let row: PostgresRow?
            do {
                row = try connection.run(
                    "UPDATE users SET email = \(email), updated_at = \(now.epochSeconds) WHERE id = \(userID) RETURNING id, email, full_name, created_at, feed_id"
                ).first
            } catch where PostgresFaults.sqlState(error) == PostgresFaults.uniqueViolation {
                throw StorageError.emailTaken
            }
            guard let row else { throw StorageError.notFound }
            return try Self.decodeUser(row)
        }
    }

    public func deleteAccount(userID: Int64) throws -> DeletedAccount? {
        try write { connection in
            guard let row = try connection.run("SELECT id, email, full_name, created_at, feed_id FROM users WHERE id = \(userID) FOR UPDATE").first
            else { return nil }
            let user = try Self.decodeUser(row)
            let ids = try connection.run(
                "SELECT public_id FROM events WHERE user_id = \(userID) UNION SELECT public_id FROM event_tombstones WHERE user_id = \(userID)"
            ).map { try $0.decode(String.self) }
            // Events first, so each one's trigger deletes its clicks, views and rollups (those
            // tables carry no foreign keys here) and logs the change for trackers and followers.
            try connection.run("DELETE FROM events WHERE user_id = \(userID)")
            try connection.run("DELETE FROM users WHERE id = \(userID)")
            return DeletedAccount(publicIDs: ids.compactMap(PublicID.init), feedID: user.feedID)
        }
    }

    // MARK: Personal API tokens

    public func createAPIToken(
        userID: Int64, name: String, scopes: [APIScope], tokenHash: String, expiresAt: Date?, limit: Int, now: Date
    ) throws -> APIToken {
        try write { connection in
            // The user row's lock queues concurrent creators, so the limit holds under a race.
            try connection.run("SELECT 1 FROM users WHERE id = \(userID) FOR NO KEY UPDATE")
            let count = try connection.run("SELECT COUNT(*) FROM api_tokens WHERE user_id = \(userID)").single(Int64.self)
            guard count < limit else { throw StorageError.limitReached }
            let id = try connection.run(
                """
                INSERT INTO api_tokens (user_id, name, scopes, token_hash, created_at, expires_at)
                VALUES (\(userID), \(name), \(StoredWords.join(scopes.map(\.rawValue))), \(tokenHash), \(now.epochSeconds), \(expiresAt?.epochSeconds))
                RETURNING id
                """
            ).single(Int64.self)
            return APIToken(
                id: id, userID: userID, name: name, scopes: scopes.sorted(), createdAt: Date(epochSeconds: now.epochSeconds),
                expiresAt: expiresAt.map { Date(epochSeconds: $0.epochSeconds) }, lastUsedAt: nil)
        }
    }

    static let tokenColumns: PostgresQuery = "SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at FROM api_tokens"

    static func decodeToken(_ row: PostgresRow) throws -> APIToken {
        let (id, userID, name, scopes, created, expires, lastUsed) = try row.decode((Int64, Int64, String, String, Int64, Int64?, Int64?).self)
        return APIToken(
            id: id, userID: userID, name: name, scopes: StoredWords.split(scopes).compactMap(APIScope.init(rawValue:)),
            createdAt: Date(epochSeconds: created), expiresAt: expires.map(Date.init(epochSeconds:)), lastUsedAt: lastUsed.map(Date.init(epochSeconds:)))
    }

    public func apiTokens(userID: Int64) throws -> [APIToken] {
        try read { connection in
            try connection.run(
                "SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = \(userID) ORDER BY created_at DESC, id DESC"
            ).map(Self.decodeToken)
        }
    }

    public func deleteAPIToken(id: Int64, userID: Int64) throws -> Bool {
        try statement { connection in
            try connection.run("DELETE FROM api_tokens WHERE id = \(id) AND user_id = \(userID) RETURNING id").first != nil
        }
    }

    public func apiToken(tokenHash: String, now: Date) throws -> (user: User, token: APIToken)? {
        let found: (User, APIToken)? = try read { connection in
            guard
                let row = try connection.run(
                    """
                    SELECT t.id, t.user_id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at FROM api_tokens t
                    WHERE t.token_hash = \(tokenHash) AND (t.expires_at IS NULL OR t.expires_at > \(now.epochSeconds))
                    """
                ).first
            else { return nil }
            let token = try Self.decodeToken(row)
            guard let userRow = try connection.run("SELECT id, email, full_name, created_at, feed_id FROM users WHERE id = \(token.userID)").first
            else { return nil }
            return (try Self.decodeUser(userRow), token)
        }
        guard let (user, token) = found else { return nil }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try statement { connection in try connection.run("UPDATE api_tokens SET last_used_at = \(now.epochSeconds) WHERE id = \(token.id)") }
        }
        return (user, token)
    }
}
