import Foundation
import Core
import GRDB

extension SQLiteStore {
    public func credentials(email: String) throws -> Credentials? {
        try read { db in
            try UserRecord.filter(sql: "email = ?", arguments: [email]).fetchOne(db).map {
                Credentials(user: try $0.user(), passwordHash: $0.passwordHash)
            }
        }
    }

    /// Stores a session by the hash of its token (the token itself is never stored).
    public func createSession(userID: Int64, tokenHash: String, now: Date, expiresAt: Date) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO sessions (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [userID, tokenHash, now.epochSeconds, expiresAt.epochSeconds])
            // Housekeeping on the write path: expired sessions of anyone are useless rows.
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now.epochSeconds])
        }
    }

    public func deleteSession(tokenHash: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }
}
