import Core
import Foundation
import GRDB

/// Self-service accounts and personal API tokens.
extension SQLiteStore {
    public func user(id: Int64) throws -> User? {
        try read { db in try UserRecord.fetchOne(db, key: id)?.user() }
    }

    public func credentials(userID: Int64) throws -> Credentials? {
        try read { db in
            try UserRecord.fetchOne(db, key: userID).map { Credentials(user: try $0.user(), passwordHash: $0.passwordHash) }
        }
    }

    public func session(tokenHash: String, now: Date) throws -> SignedInSession? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT sessions.id AS session_id, users.* FROM sessions JOIN users ON users.id = sessions.user_id
                        WHERE sessions.token_hash = ? AND sessions.expires_at > ?
                        """, arguments: [tokenHash, now.epochSeconds])
            else { return nil }
            return SignedInSession(user: try UserRecord(row: row).user(), sessionID: row["session_id"])
        }
    }

    public func sessions(userID: Int64, now: Date) throws -> [SessionInfo] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, created_at, expires_at FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC",
                arguments: [userID, now.epochSeconds]
            ).map { SessionInfo(id: $0["id"], createdAt: Date(epochSeconds: $0["created_at"]), expiresAt: Date(epochSeconds: $0["expires_at"])) }
        }
    }

    public func deleteSession(id: Int64, userID: Int64) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id = ? AND user_id = ?", arguments: [id, userID])
            return db.changesCount > 0
        }
    }

    public func setPassword(userID: Int64, passwordHash: String, keepingSession: Int64?, now: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", arguments: [passwordHash, now.epochSeconds, userID])
            guard db.changesCount > 0 else { throw StorageError.notFound }
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", arguments: [userID, keepingSession])
            try db.execute(
                sql: "DELETE FROM account_tokens WHERE user_id = ? AND purpose = ?", arguments: [userID, AccountTokenPurpose.passwordReset.rawValue])
        }
    }

    public func createAccountToken(userID: Int64, purpose: AccountTokenPurpose, tokenHash: String, newEmail: String?, now: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO account_tokens (user_id, purpose, token_hash, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    userID, purpose.rawValue, tokenHash, newEmail, now.epochSeconds, now.epochSeconds + Int64(purpose.lifetime),
                ])
            // Housekeeping on the write path: links nobody can use any more.
            try db.execute(sql: "DELETE FROM account_tokens WHERE expires_at <= ?", arguments: [now.epochSeconds])
        }
    }

    public func redeemAccountToken(tokenHash: String, purpose: AccountTokenPurpose, now: Date) throws -> RedeemedAccountToken? {
        try write { db in
            // DELETE … RETURNING: of two requests racing with the same link, exactly one gets the row.
            guard
                let row = try Row.fetchOne(
                    db, sql: "DELETE FROM account_tokens WHERE token_hash = ? AND purpose = ? RETURNING user_id, new_email, expires_at",
                    arguments: [tokenHash, purpose.rawValue])
            else { return nil }
            guard (row["expires_at"] as Int64) > now.epochSeconds else { return nil }
            return RedeemedAccountToken(userID: row["user_id"], newEmail: row["new_email"])
        }
    }

    public func setEmail(userID: Int64, email: String, now: Date) throws -> User {
        try write { db in
            do {
                try db.execute(sql: "UPDATE users SET email = ?, updated_at = ? WHERE id = ?", arguments: [email, now.epochSeconds, userID])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StorageError.emailTaken
            }
            guard let record = try UserRecord.fetchOne(db, key: userID) else { throw StorageError.notFound }
            return try record.user()
        }
    }

    public func deleteAccount(userID: Int64) throws -> DeletedAccount? {
        try write { db in
            guard let record = try UserRecord.fetchOne(db, key: userID) else { return nil }
            let user = try record.user()
            let ids = try String.fetchAll(
                db, sql: "SELECT public_id FROM events WHERE user_id = ? UNION SELECT public_id FROM event_tombstones WHERE user_id = ?",
                arguments: [userID, userID])
            // Events first, one by one through their own cascades (clicks, views, rollups,
            // sketches, placements), so each logs its change for the trackers and followers.
            try db.execute(sql: "DELETE FROM events WHERE user_id = ?", arguments: [userID])
            // The rest cascades from the user row: sessions, tokens, links, settings,
            // tombstones, queued mail, webhooks and their deliveries.
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [userID])
            return DeletedAccount(publicIDs: ids.compactMap(PublicID.init), feedID: user.feedID)
        }
    }

    // MARK: Personal API tokens

    public func createAPIToken(
        userID: Int64, name: String, scopes: [APIScope], tokenHash: String, expiresAt: Date?, limit: Int, now: Date
    ) throws -> APIToken {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_tokens WHERE user_id = ?", arguments: [userID]) ?? 0
            guard count < limit else { throw StorageError.limitReached }
            try db.execute(
                sql: "INSERT INTO api_tokens (user_id, name, scopes, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [userID, name, StoredWords.join(scopes.map(\.rawValue)), tokenHash, now.epochSeconds, expiresAt?.epochSeconds])
            return APIToken(
                id: db.lastInsertedRowID, userID: userID, name: name, scopes: scopes.sorted(), createdAt: Date(epochSeconds: now.epochSeconds),
                expiresAt: expiresAt.map { Date(epochSeconds: $0.epochSeconds) }, lastUsedAt: nil)
        }
    }

    public func apiTokens(userID: Int64) throws -> [APIToken] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC", arguments: [userID])
                .map(Self.apiToken)
        }
    }

    public func deleteAPIToken(id: Int64, userID: Int64) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE id = ? AND user_id = ?", arguments: [id, userID])
            return db.changesCount > 0
        }
    }

    public func apiToken(tokenHash: String, now: Date) throws -> (user: User, token: APIToken)? {
        let found: (User, APIToken)? = try read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT api_tokens.id AS token_id, api_tokens.name AS token_name, api_tokens.scopes, api_tokens.created_at AS token_created_at,
                        api_tokens.expires_at AS token_expires_at, api_tokens.last_used_at, users.*
                        FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                        WHERE api_tokens.token_hash = ? AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > ?)
                        """, arguments: [tokenHash, now.epochSeconds])
            else { return nil }
            let user = try UserRecord(row: row).user()
            let token = APIToken(
                id: row["token_id"], userID: user.id, name: row["token_name"],
                scopes: StoredWords.split(row["scopes"]).compactMap(APIScope.init(rawValue:)),
                createdAt: Date(epochSeconds: row["token_created_at"]), expiresAt: (row["token_expires_at"] as Int64?).map(Date.init(epochSeconds:)),
                lastUsedAt: (row["last_used_at"] as Int64?).map(Date.init(epochSeconds:)))
            return (user, token)
        }
        guard let (user, token) = found else { return nil }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try write { db in
                try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [now.epochSeconds, token.id])
            }
        }
        return (user, token)
    }

    static func apiToken(_ row: Row) -> APIToken {
        APIToken(
            id: row["id"], userID: row["user_id"], name: row["name"], scopes: StoredWords.split(row["scopes"]).compactMap(APIScope.init(rawValue:)),
            createdAt: Date(epochSeconds: row["created_at"]), expiresAt: (row["expires_at"] as Int64?).map(Date.init(epochSeconds:)),
            lastUsedAt: (row["last_used_at"] as Int64?).map(Date.init(epochSeconds:)))
    }
}
