import Core
import Foundation
import GRDB

extension SQLiteStore {
    static func feedOwner(_ db: Database, userID: Int64) throws -> FeedOwner? {
        guard let row = try Row.fetchOne(db, sql: "SELECT feed_id, full_name FROM users WHERE id = ?", arguments: [userID]) else {
            return nil
        }
        guard let feedID = PublicID(row["feed_id"] as String? ?? "") else { throw StorageError.corruptRow(table: "users", id: userID) }
        return FeedOwner(userID: userID, feedID: feedID, name: row["full_name"])
    }

    /// An event with what rendering it needs: its organizer's defaults and feed.
    static func publishable(_ db: Database, _ event: Event) throws -> PublishableEvent {
        guard let owner = try feedOwner(db, userID: event.userID) else { throw StorageError.corruptRow(table: "events", id: event.id) }
        return PublishableEvent(
            event: event, userDefaults: try widgetDefaults(db, userID: event.userID), organizer: owner,
            placements: try placements(db, eventID: event.id))
    }

    public func feedOwner(userID: Int64) throws -> FeedOwner? {
        try read { db in try Self.feedOwner(db, userID: userID) }
    }

    public func feedOwner(publicID: PublicID) throws -> FeedOwner? {
        try read { db in
            let owner = try Int64.fetchOne(
                db,
                sql: """
                    SELECT user_id FROM events WHERE public_id = ?1
                    UNION ALL SELECT user_id FROM event_tombstones WHERE public_id = ?1
                    UNION ALL SELECT id FROM users WHERE feed_id = ?1
                    LIMIT 1
                    """, arguments: [publicID.rawValue])
            return try owner.flatMap { try Self.feedOwner(db, userID: $0) }
        }
    }

    public func feedOwners() throws -> [FeedOwner] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, feed_id, full_name FROM users ORDER BY id").compactMap { row in
                PublicID(row["feed_id"] as String? ?? "").map { FeedOwner(userID: row["id"], feedID: $0, name: row["full_name"]) }
            }
        }
    }

    public func organizerFeed(userID: Int64, now: Date) throws -> OrganizerFeed? {
        try read { db in
            guard let owner = try Self.feedOwner(db, userID: userID) else { return nil }
            // Ends after the cutoff: upcoming, running, or ended within the feed window.
            let cutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            var events = try EventRecord.filter(sql: "user_id = ? AND listed = 1 AND COALESCE(last_end, end_datetime) > ?", arguments: [userID, cutoff])
                .fetchAll(db).map { try $0.event() }
            events += try TombstoneRecord.filter(sql: "user_id = ? AND listed = 1 AND COALESCE(last_end, end_datetime) > ?", arguments: [userID, cutoff])
                .fetchAll(db).map { try $0.event() }
            events.sort { ($0.start, $0.publicID.rawValue) < ($1.start, $1.publicID.rawValue) }
            return OrganizerFeed(owner: owner, userDefaults: try Self.widgetDefaults(db, userID: userID), events: events)
        }
    }

    public func deletedEvent(publicID: PublicID) throws -> PublishableEvent? {
        try read { db in
            guard let record = try TombstoneRecord.fetchOne(db, key: publicID.rawValue) else { return nil }
            return try Self.publishable(db, record.event())
        }
    }

    public func deletedEventIDs() throws -> [PublicID] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT public_id FROM event_tombstones ORDER BY public_id").compactMap(PublicID.init)
        }
    }

    public func lifecycleDue(now: Date, limit: Int) throws -> [LifecycleDue] {
        try read { db in
            let nowSeconds = now.epochSeconds
            let agedCutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            // `IS NOT` is SQLite's null-safe inequality: never rendered counts as not rendered.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, public_id, user_id, COALESCE(last_end, end_datetime) AS due_end, 'ended' AS step FROM events
                    WHERE COALESCE(last_end, end_datetime) <= ? AND ended_published_for IS NOT COALESCE(last_end, end_datetime)
                    UNION ALL
                    SELECT id, public_id, user_id, COALESCE(last_end, end_datetime), 'agedOut' FROM events
                    WHERE COALESCE(last_end, end_datetime) <= ? AND aged_published_for IS NOT COALESCE(last_end, end_datetime)
                    UNION ALL
                    SELECT id, public_id, user_id, session_render_at, 'session' FROM events WHERE session_render_at <= ?
                    ORDER BY 4 LIMIT ?
                    """, arguments: [nowSeconds, agedCutoff, nowSeconds, limit])
            return rows.compactMap { row in
                guard let step = LifecycleDue.Step(rawValue: row["step"]) else { return nil }
                return LifecycleDue(
                    key: EventKey(id: row["id"], publicID: PublicID(row["public_id"] as String)), userID: row["user_id"], step: step,
                    end: Date(epochSeconds: row["due_end"]))
            }
        }
    }

    public func markLifecycleDone(_ due: LifecycleDue) throws {
        try write { db in
            // Only for the moment it was due for: if an edit moved it meanwhile, it stays due.
            switch due.step {
            case .ended, .agedOut:
                let column = due.step == .ended ? "ended_published_for" : "aged_published_for"
                try db.execute(
                    sql: "UPDATE events SET \(column) = COALESCE(last_end, end_datetime) WHERE id = ? AND COALESCE(last_end, end_datetime) = ?",
                    arguments: [due.key.id, due.end.epochSeconds])
            case .session:
                guard let event = try EventRecord.fetchOne(db, key: due.key.id)?.event() else { return }
                try db.execute(
                    sql: "UPDATE events SET session_render_at = ? WHERE id = ? AND session_render_at = ?",
                    arguments: [event.nextSessionChange(after: due.end)?.epochSeconds, due.key.id, due.end.epochSeconds])
            }
        }
    }

    public func purgeDeletedEvents(now: Date) throws -> [(publicID: PublicID, userID: Int64)] {
        try write { db in
            let cutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            let rows = try Row.fetchAll(
                db, sql: "SELECT public_id, user_id FROM event_tombstones WHERE COALESCE(last_end, end_datetime) <= ?", arguments: [cutoff])
            guard !rows.isEmpty else { return [] }
            // The delete trigger logs each id; the organizers' feeds are logged here so followers
            // rebuild them too.
            try db.execute(sql: "DELETE FROM event_tombstones WHERE COALESCE(last_end, end_datetime) <= ?", arguments: [cutoff])
            try db.execute(
                sql: """
                    INSERT INTO link_changes (public_id)
                    SELECT feed_id FROM users WHERE id IN (SELECT DISTINCT value FROM json_each(?)) AND feed_id IS NOT NULL
                    """, arguments: [String(describing: rows.map { $0["user_id"] as Int64 })])
            return rows.compactMap { row in PublicID(row["public_id"] as String).map { ($0, row["user_id"] as Int64) } }
        }
    }
}
