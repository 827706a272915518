import Foundation
import GRDB

extension AppDatabase {
    /// The event behind a public id with its organizer defaults, or nil: the tracker's miss path
    /// (one lookup on the unique `public_id` index).
    public func publishableEvent(publicID: PublicID) throws -> PublishableEvent? {
        try writer.read { db in
            guard let record = try EventRecord.filter(sql: "public_id = ?", arguments: [publicID.rawValue]).fetchOne(db) else {
                return nil
            }
            let event = try record.event()
            return PublishableEvent(event: event, userDefaults: try Self.widgetDefaults(db, userID: event.userID))
        }
    }

    /// The newest change sequence number (0 when nothing ever changed).
    public func latestLinkChange() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM link_changes") ?? 0 }
    }

    /// Public ids changed after `sequence`, with the newest sequence number seen.
    public func linkChanges(after sequence: Int64, limit: Int = 10_000) throws -> (ids: [PublicID], latest: Int64) {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, public_id FROM link_changes WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit])
            let ids = rows.compactMap { PublicID($0["public_id"] as String) }
            let latest = rows.last.map { $0["seq"] as Int64 } ?? sequence
            return (ids, latest)
        }
    }

    /// Drops change rows older than `seconds`: every tracker has long since applied them.
    public func pruneLinkChanges(olderThan seconds: Int64, now: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM link_changes WHERE changed_at < ?", arguments: [now.epochSeconds - seconds])
        }
    }
}
