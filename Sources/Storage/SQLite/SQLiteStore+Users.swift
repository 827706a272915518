import Foundation
import Core
import GRDB

extension SQLiteStore {
    /// Registers an organizer. E-mails are unique regardless of case.
    public func createUser(email: String, passwordHash: String, fullName: String?, now: Date) throws -> User {
        try write { db in
            var record = UserRecord(
                id: nil, email: email, passwordHash: passwordHash, fullName: fullName, createdAt: now.epochSeconds,
                updatedAt: now.epochSeconds, feedID: PublicID.random().rawValue)
            do {
                try record.insert(db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StorageError.emailTaken
            }
            return try record.user()
        }
    }

    public func user(email: String) throws -> User? {
        try read { db in
            try UserRecord.filter(sql: "email = ?", arguments: [email]).fetchOne(db)?.user()
        }
    }

    /// The organizer's default widget settings (empty when never set).
    public func widgetDefaults(userID: Int64) throws -> CustomizationOverrides {
        try read { db in try Self.widgetDefaults(db, userID: userID) }
    }

    /// Replaces the organizer's default widget settings; returns the ones they replaced.
    @discardableResult
    public func setWidgetDefaults(_ overrides: CustomizationOverrides, userID: Int64, now: Date) throws -> CustomizationOverrides {
        try write { db in
            let previous = try Self.widgetDefaults(db, userID: userID)
            try Self.storeWidgetDefaults(db, overrides, userID: userID, now: now)
            return previous
        }
    }

    /// Undoes `setWidgetDefaults` whose effects could not be published, unless the settings changed
    /// again since (then that newer change owns them). True when it reverted.
    @discardableResult
    public func revertWidgetDefaults(to previous: CustomizationOverrides, from written: CustomizationOverrides, userID: Int64, now: Date)
        throws -> Bool
    {
        try write { db in
            guard try Self.widgetDefaults(db, userID: userID) == written else { return false }
            try Self.storeWidgetDefaults(db, previous, userID: userID, now: now)
            return true
        }
    }

    private static func storeWidgetDefaults(_ db: Database, _ overrides: CustomizationOverrides, userID: Int64, now: Date) throws {
        try UserSettingsRecord(userID: userID, iframeDefaults: StoredJSON.encode(overrides), updatedAt: now.epochSeconds).upsert(db)
    }

    static func widgetDefaults(_ db: Database, userID: Int64) throws -> CustomizationOverrides {
        guard let record = try UserSettingsRecord.filter(sql: "user_id = ?", arguments: [userID]).fetchOne(db) else {
            return CustomizationOverrides()
        }
        return try StoredJSON.decode(record.iframeDefaults)
    }
}
