import Core
import Foundation
import GRDB

/// An organizer's data, read in keyset pages so an export of any size holds one page at a time.
extension SQLiteStore {
    public func exportEvents(userID: Int64, afterID: Int64, limit: Int) throws -> [Event] {
        try read { db in
            try EventRecord.filter(sql: "user_id = ? AND id > ?", arguments: [userID, afterID]).order(sql: "id").limit(limit)
                .fetchAll(db).map { try $0.event() }
        }
    }

    public func exportClicks(userID: Int64, afterID: Int64, limit: Int) throws -> [ExportedClick] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.event_id, e.public_id, c.interaction_type, c.clicked_at, p.name AS placement
                    FROM widget_interactions c JOIN events e ON e.id = c.event_id
                    LEFT JOIN placements p ON p.id = c.placement_id
                    WHERE e.user_id = ? AND c.id > ? ORDER BY c.id LIMIT ?
                    """, arguments: [userID, afterID, limit]
            ).map { row in
                ExportedClick(
                    id: row["id"], eventID: row["event_id"], eventPublicID: row["public_id"], provider: row["interaction_type"],
                    placement: row["placement"], clickedAt: Date(epochSeconds: row["clicked_at"]))
            }
        }
    }

    public func exportTraffic(userID: Int64) throws -> [DailyTraffic] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.event_id, t.day_start, t.views, t.clicks, t.unique_visitors FROM traffic_daily t JOIN events e ON e.id = t.event_id
                    WHERE e.user_id = ? ORDER BY t.event_id, t.day_start
                    """, arguments: [userID]
            ).map { row in
                DailyTraffic(
                    eventID: row["event_id"], dayStart: row["day_start"], views: row["views"], clicks: row["clicks"],
                    uniqueVisitors: row["unique_visitors"])
            }
        }
    }
}
