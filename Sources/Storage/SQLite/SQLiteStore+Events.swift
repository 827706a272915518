import Foundation
import Core
import GRDB

extension SQLiteStore {
    /// Stores a validated draft as a new event of `userID`.
    public func createEvent(_ draft: EventDraft, userID: Int64, publicID: PublicID, now: Date) throws -> Event {
        try write { db in
            let event = Event(
                id: 0, userID: userID, publicID: publicID, title: draft.title, description: draft.description,
                start: draft.start, end: draft.end, timeZone: draft.timeZone, webinarURL: draft.webinarURL,
                customization: draft.customization, sequence: 0, status: draft.status, recordingURL: draft.recordingURL,
                listed: draft.listed, recurrence: draft.recurrence, createdAt: now, updatedAt: now)
            var record = try EventRecord(event: event)
            try record.insert(db)
            return try record.event()
        }
    }

    /// Read-modify-write in one transaction: `change` sees the stored event and returns the
    /// draft to store, so two concurrent partial updates cannot undo each other.
    public func updateEvent(id: Int64, userID: Int64, now: Date, _ change: (Event) throws -> EventDraft) throws -> Event {
        try write { db in
            guard let record = try EventRecord.filter(sql: "id = ? AND user_id = ?", arguments: [id, userID]).fetchOne(db) else {
                throw StorageError.notFound
            }
            let previous = try record.event()
            let draft = try change(previous)
            let updated = previous.applying(draft, now: now)
            var newRecord = try EventRecord(event: updated)
            try newRecord.update(db)
            return updated
        }
    }

    /// Undoes an update whose files could not be published (the files still show `previous`),
    /// unless the event changed again since: then the newer change owns it. True when it reverted.
    @discardableResult
    public func revertEvent(to previous: Event, from written: Event) throws -> Bool {
        try write { db in
            // Compared as stored (whole seconds), not as the in-memory value with its fractions.
            guard let record = try EventRecord.fetchOne(db, key: written.id), try record.event() == EventRecord(event: written).event()
            else { return false }
            var restored = try EventRecord(event: previous)
            try restored.update(db)
            return true
        }
    }

    /// Deletes an organizer's event (its clicks go with it). Returns the deleted event so callers
    /// can remove its files; throws `notFound` when missing or not the organizer's.
    public func deleteEvent(id: Int64, userID: Int64, tombstoneAt now: Date?) throws -> Event {
        try write { db in
            guard let record = try EventRecord.filter(sql: "id = ? AND user_id = ?", arguments: [id, userID]).fetchOne(db) else {
                throw StorageError.notFound
            }
            let event = try record.event()
            try db.execute(sql: "DELETE FROM events WHERE id = ?", arguments: [id])
            if let now { try TombstoneRecord(event.tombstone(at: now)).insert(db, onConflict: .ignore) }
            return event
        }
    }

    public func event(id: Int64) throws -> Event? {
        try read { db in try EventRecord.fetchOne(db, key: id)?.event() }
    }

    public func events(userID: Int64) throws -> [Event] {
        try read { db in
            try EventRecord.filter(sql: "user_id = ?", arguments: [userID])
                .order(sql: "created_at DESC, id DESC")
                .fetchAll(db).map { try $0.event() }
        }
    }

    /// The event with its organizer's defaults, or nil when it does not exist.
    public func publishableEvent(id: Int64) throws -> PublishableEvent? {
        try read { db in
            guard let event = try EventRecord.fetchOne(db, key: id)?.event() else { return nil }
            return try Self.publishable(db, event)
        }
    }

    /// Every event with its organizer's defaults, read in one snapshot (for `generate --all`).
    /// A row that no longer decodes is reported on its own instead of failing the whole read.
    public func publicationSnapshot() throws -> PublicationSnapshot {
        try read { db in
            var defaults: [Int64: CustomizationOverrides] = [:]
            var unreadableDefaults: Set<Int64> = []
            for record in try UserSettingsRecord.fetchAll(db) {
                if let decoded = try? StoredJSON.decode(record.iframeDefaults) {
                    defaults[record.userID] = decoded
                } else {
                    unreadableDefaults.insert(record.userID)
                }
            }
            var owners: [Int64: FeedOwner] = [:]
            for record in try UserRecord.fetchAll(db) {
                if let id = record.id, let feedID = record.feedID.flatMap(PublicID.init) {
                    owners[id] = FeedOwner(userID: id, feedID: feedID, name: record.fullName)
                }
            }
            var snapshot = PublicationSnapshot()
            let placements = try Self.allPlacements(db)
            for record in try EventRecord.order(sql: "id").fetchAll(db) {
                guard let event = try? record.event(), !unreadableDefaults.contains(record.userID), let owner = owners[record.userID] else {
                    snapshot.unreadable.append(.init(id: record.id ?? 0, publicID: PublicID(record.publicID)))
                    continue
                }
                snapshot.items.append(
                    PublishableEvent(
                        event: event, userDefaults: defaults[event.userID] ?? CustomizationOverrides(), organizer: owner,
                        placements: placements[event.id] ?? []))
            }
            return snapshot
        }
    }
}

extension SQLiteStore {
    /// Every event's keys, oldest first (`generate --all`).
    public func eventKeys() throws -> [EventKey] {
        try read { db in try Self.eventKeys(db, sql: "SELECT id, public_id FROM events ORDER BY id") }
    }

    /// The keys of one organizer's events (republishing after a settings change).
    public func eventKeys(userID: Int64) throws -> [EventKey] {
        try read { db in
            try Self.eventKeys(db, sql: "SELECT id, public_id FROM events WHERE user_id = ? ORDER BY id", arguments: [userID])
        }
    }

    public func eventExists(publicID: PublicID) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE public_id = ?)", arguments: [publicID.rawValue]) ?? false
        }
    }

    private static func eventKeys(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [EventKey] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            EventKey(id: row["id"], publicID: PublicID(row["public_id"] as String))
        }
    }
}
