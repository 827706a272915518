import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Locks the event row first: two concurrent creates on one event queue there, so the name
    /// check and the limit hold without relying on the index (which is the backstop).
    public func createPlacement(eventID: Int64, userID: Int64, name: String, key: PublicID, now: Date) throws -> Placement {
        do {
            return try write { connection in
                guard try connection.run("SELECT id FROM events WHERE id = \(eventID) AND user_id = \(userID) FOR UPDATE").first != nil else {
                    throw StorageError.notFound
                }
                let existing = try Self.placements(connection, eventID: eventID)
                guard !existing.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw StorageError.placementNameTaken
                }
                guard existing.count < Placement.maximumPerEvent else { throw StorageError.placementLimitReached }
                let id = try connection.run(
                    """
                    INSERT INTO placements (event_id, public_key, name, created_at)
                    VALUES (\(eventID), \(key.rawValue), \(name), \(now.epochSeconds)) RETURNING id
                    """
                ).single(Int64.self)
                return Placement(id: id, eventID: eventID, key: key, name: name, createdAt: Date(epochSeconds: now.epochSeconds))
            }
        } catch where PostgresFaults.sqlState(error) == PostgresFaults.uniqueViolation {
            throw StorageError.placementNameTaken
        }
    }

    public func placements(eventID: Int64) throws -> [Placement] {
        try read { connection in try Self.placements(connection, eventID: eventID) }
    }

    public func deletePlacement(id: Int64, eventID: Int64, userID: Int64) throws -> Placement? {
        try write { connection in
            guard try connection.run("SELECT id FROM events WHERE id = \(eventID) AND user_id = \(userID) FOR UPDATE").first != nil,
                let placement = try Self.placements(connection, eventID: eventID).first(where: { $0.id == id })
            else { return nil }
            try connection.run("DELETE FROM placements WHERE id = \(id)")
            return placement
        }
    }

    static func placements(_ connection: PostgresConnection, eventID: Int64) throws -> [Placement] {
        try connection.run("SELECT id, event_id, public_key, name, created_at FROM placements WHERE event_id = \(eventID) ORDER BY id")
            .map(placement)
    }

    static func allPlacements(_ connection: PostgresConnection) throws -> [Int64: [Placement]] {
        Dictionary(
            grouping: try connection.run("SELECT id, event_id, public_key, name, created_at FROM placements ORDER BY id").map(placement),
            by: \.eventID)
    }

    private static func placement(_ row: PostgresRow) throws -> Placement {
        let (id, eventID, key, name, createdAt) = try row.decode((Int64, Int64, String, String, Int64).self)
        guard let key = PublicID(key) else { throw StorageError.corruptRow(table: "placements", id: id) }
        return Placement(id: id, eventID: eventID, key: key, name: name, createdAt: Date(epochSeconds: createdAt))
    }
}
