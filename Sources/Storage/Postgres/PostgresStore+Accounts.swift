import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    public func createUser(email: String, passwordHash: String, fullName: String?, now: Date) throws -> User {
        try write { connection in
            let id: Int64
            let feedID = PublicID.random()
            do {
                id = try connection.run(
                    """
                    INSERT INTO users (email, password_hash, full_name, created_at, updated_at, feed_id)
                    VALUES (\(email), \(passwordHash), \(fullName), \(now.epochSeconds), \(now.epochSeconds), \(feedID.rawValue)) RETURNING id
                    """
                ).single(Int64.self)
            } catch where PostgresFaults.sqlState(error) == PostgresFaults.uniqueViolation {
                throw StorageError.emailTaken
            }
            return User(id: id, email: email, fullName: fullName, createdAt: Date(epochSeconds: now.epochSeconds), feedID: feedID)
        }
    }

    public func user(email: String) throws -> User? {
        try credentials(email: email)?.user
    }

    public func credentials(email: String) throws -> Credentials? {
        try read { connection in
            try connection.run(
                "SELECT id, email, full_name, created_at, feed_id, password_hash FROM users WHERE lower(email) = lower(\(email))"
            ).first.map { row in Credentials(user: try Self.decodeUser(row), passwordHash: try row.makeRandomAccess()[5].decode(String.self)) }
        }
    }

    public func createSession(userID: Int64, tokenHash: String, now: Date, expiresAt: Date) throws {
        try write { connection in
            try connection.run(
                """
                INSERT INTO sessions (user_id, token_hash, created_at, expires_at)
                VALUES (\(userID), \(tokenHash), \(now.epochSeconds), \(expiresAt.epochSeconds))
                """)
            // Housekeeping on the write path: expired sessions of anyone are useless rows.
            try connection.run("DELETE FROM sessions WHERE expires_at <= \(now.epochSeconds)")
        }
    }

    public func deleteSession(tokenHash: String) throws {
        try write { connection in try connection.run("DELETE FROM sessions WHERE token_hash = \(tokenHash)") }
    }

    public func widgetDefaults(userID: Int64) throws -> CustomizationOverrides {
        try read { connection in try Self.widgetDefaults(connection, userID: userID) }
    }

    @discardableResult
    public func setWidgetDefaults(_ overrides: CustomizationOverrides, userID: Int64, now: Date) throws -> CustomizationOverrides {
        try write { connection in
            let previous = try Self.widgetDefaults(connection, userID: userID, locking: true)
            try Self.storeWidgetDefaults(connection, overrides, userID: userID, now: now)
            return previous
        }
    }

    @discardableResult
    public func revertWidgetDefaults(to previous: CustomizationOverrides, from written: CustomizationOverrides, userID: Int64, now: Date)
        throws -> Bool
    {
        try write { connection in
            guard try Self.widgetDefaults(connection, userID: userID, locking: true) == written else { return false }
            try Self.storeWidgetDefaults(connection, previous, userID: userID, now: now)
            return true
        }
    }

    private static func storeWidgetDefaults(_ connection: PostgresConnection, _ overrides: CustomizationOverrides, userID: Int64, now: Date)
        throws
    {
        let json = try StoredJSON.encode(overrides)
        try connection.run(
            """
            INSERT INTO user_settings (user_id, iframe_defaults, updated_at) VALUES (\(userID), \(json), \(now.epochSeconds))
            ON CONFLICT (user_id) DO UPDATE SET iframe_defaults = excluded.iframe_defaults, updated_at = excluded.updated_at
            """)
    }

    /// `locking` takes the row lock of a read-modify-write (the organizer's user row, which exists
    /// even before any settings do, so two first-time writers also queue up).
    static func widgetDefaults(_ connection: PostgresConnection, userID: Int64, locking: Bool = false) throws -> CustomizationOverrides {
        if locking { try connection.run("SELECT 1 FROM users WHERE id = \(userID) FOR NO KEY UPDATE") }
        guard let text = try connection.run("SELECT iframe_defaults FROM user_settings WHERE user_id = \(userID)").first?.decode(String.self)
        else { return CustomizationOverrides() }
        return try StoredJSON.decode(text)
    }
}

extension PostgresQueryResult {
    /// The one value of a one-row, one-column result.
    func single<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard let row = first(where: { _ in true }) else { throw StorageError.notFound }
        return try row.decode(T.self)
    }
}
