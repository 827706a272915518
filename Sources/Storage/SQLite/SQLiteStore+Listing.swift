import Foundation
import Core
import GRDB

extension SQLiteStore {
    public func eventPage(userID: Int64, limit: Int, offset: Int) throws -> EventPage {
        try read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE user_id = ?", arguments: [userID]) ?? 0
            let events = try EventRecord.filter(sql: "user_id = ?", arguments: [userID])
                .order(sql: "created_at DESC, id DESC")
                .limit(limit, offset: offset)
                .fetchAll(db).map { try $0.event() }
            return EventPage(events: events, total: total)
        }
    }

    /// The organizer's event, or nil when it is missing or someone else's (callers answer 404 for both).
    public func event(id: Int64, userID: Int64) throws -> Event? {
        try read { db in
            try EventRecord.filter(sql: "id = ? AND user_id = ?", arguments: [id, userID]).fetchOne(db)?.event()
        }
    }

    /// Rollup rows of one event with `from <= bucket_start < to`: statistics never scan raw clicks.
    public func clickBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [ClickBucket] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT bucket_start, interaction_type, count FROM interaction_counts
                    WHERE event_id = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start
                    """, arguments: [eventID, from, to]
            ).map { ClickBucket(bucketStart: $0["bucket_start"], type: $0["interaction_type"], count: $0["count"]) }
        }
    }
}
