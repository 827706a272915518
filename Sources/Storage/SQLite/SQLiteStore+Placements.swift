import Core
import Foundation
import GRDB

extension SQLiteStore {
    public func createPlacement(eventID: Int64, userID: Int64, name: String, key: PublicID, now: Date) throws -> Placement {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE id = ? AND user_id = ?", arguments: [eventID, userID]) != nil else {
                throw StorageError.notFound
            }
            let existing = try Self.placements(db, eventID: eventID)
            // Compared in Swift too: SQLite's lower() folds ASCII only, the index is the backstop.
            guard !existing.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw StorageError.placementNameTaken
            }
            guard existing.count < Placement.maximumPerEvent else { throw StorageError.placementLimitReached }
            do {
                try db.execute(
                    sql: "INSERT INTO placements (event_id, public_key, name, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [eventID, key.rawValue, name, now.epochSeconds])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StorageError.placementNameTaken
            }
            return Placement(id: db.lastInsertedRowID, eventID: eventID, key: key, name: name, createdAt: Date(epochSeconds: now.epochSeconds))
        }
    }

    public func placements(eventID: Int64) throws -> [Placement] {
        try read { db in try Self.placements(db, eventID: eventID) }
    }

    public func deletePlacement(id: Int64, eventID: Int64, userID: Int64) throws -> Placement? {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE id = ? AND user_id = ?", arguments: [eventID, userID]) != nil,
                let placement = try Self.placements(db, eventID: eventID).first(where: { $0.id == id })
            else { return nil }
            try db.execute(sql: "DELETE FROM placements WHERE id = ?", arguments: [id])
            return placement
        }
    }

    static func placements(_ db: Database, eventID: Int64) throws -> [Placement] {
        try Row.fetchAll(
            db, sql: "SELECT id, event_id, public_key, name, created_at FROM placements WHERE event_id = ? ORDER BY id", arguments: [eventID]
        ).map(placement)
    }

    /// Every placement, by event (the publication snapshot).
    static func allPlacements(_ db: Database) throws -> [Int64: [Placement]] {
        Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT id, event_id, public_key, name, created_at FROM placements ORDER BY id").map(placement),
            by: \.eventID)
    }

    private static func placement(_ row: Row) throws -> Placement {
        let id: Int64 = row[0]
        guard let key = PublicID(row[2] as String) else { throw StorageError.corruptRow(table: "placements", id: id) }
        return Placement(id: id, eventID: row[1], key: key, name: row[3], createdAt: Date(epochSeconds: row[4]))
    }
}
