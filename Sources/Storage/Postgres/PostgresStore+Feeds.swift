import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    static func feedOwner(_ connection: PostgresConnection, userID: Int64) throws -> FeedOwner? {
        guard let row = try connection.run("SELECT feed_id, full_name FROM users WHERE id = \(userID)").first else { return nil }
        let (feedID, name) = try row.decode((String?, String?).self)
        guard let feedID = feedID.flatMap(PublicID.init) else { throw StorageError.corruptRow(table: "users", id: userID) }
        return FeedOwner(userID: userID, feedID: feedID, name: name)
    }

    /// An event with what rendering it needs: its organizer's defaults and feed.
    static func publishable(_ connection: PostgresConnection, _ event: Event) throws -> PublishableEvent {
        guard let owner = try feedOwner(connection, userID: event.userID) else { throw StorageError.corruptRow(table: "events", id: event.id) }
        return PublishableEvent(
            event: event, userDefaults: try widgetDefaults(connection, userID: event.userID), organizer: owner,
            placements: try placements(connection, eventID: event.id))
    }

    /// The tombstone columns in the order `decodeTombstone` reads them.
    static let tombstoneColumns: PostgresQuery = """
        SELECT public_id, user_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
        customization_settings, sequence, listed, created_at, deleted_at, recurrence FROM event_tombstones
        """

    static func decodeTombstone(_ row: PostgresRow) throws -> Event {
        let (publicID, userID, title, description, start, end, timeZone, webinarURL, customization, sequence, listed) =
            try row.decode((String, Int64, String, String, Int64, Int64, String, String, String, Int32, Bool).self)
        let columns = row.makeRandomAccess()
        let createdAt = try columns[11].decode(Int64.self)
        let deletedAt = try columns[12].decode(Int64.self)
        let recurrence = try StoredJSON.decodeRecurrence(try columns[13].decode(String?.self))
        guard let publicID = PublicID(publicID) else { throw StorageError.corruptRow(table: "event_tombstones", id: nil) }
        return Event(
            id: 0, userID: userID, publicID: publicID, title: title, description: description, start: Date(epochSeconds: start),
            end: Date(epochSeconds: end), timeZone: timeZone, webinarURL: webinarURL, customization: try StoredJSON.decode(customization),
            sequence: Int(sequence), status: .cancelled, listed: listed, recurrence: recurrence, createdAt: Date(epochSeconds: createdAt),
            updatedAt: Date(epochSeconds: deletedAt))
    }

    static func tombstones(_ connection: PostgresConnection, where condition: PostgresQuery) throws -> [Event] {
        var query = tombstoneColumns
        query.sql += " " + condition.sql
        query.binds = condition.binds
        return try connection.run(query).map(decodeTombstone)
    }

    static func storeTombstone(_ connection: PostgresConnection, _ tombstone: Event) throws {
        let json = try StoredJSON.encode(tombstone.customization)
        try connection.run(
            """
            INSERT INTO event_tombstones (public_id, user_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
            customization_settings, sequence, listed, created_at, deleted_at, recurrence, last_end)
            VALUES (\(tombstone.publicID.rawValue), \(tombstone.userID), \(tombstone.title), \(tombstone.description),
            \(tombstone.start.epochSeconds), \(tombstone.end.epochSeconds), \(tombstone.timeZone), \(tombstone.webinarURL), \(json),
            \(Int32(clamping: tombstone.sequence)), \(tombstone.listed), \(tombstone.createdAt.epochSeconds),
            \(tombstone.updatedAt.epochSeconds), \(try StoredJSON.encode(tombstone.recurrence)), \(tombstone.lastEnd.epochSeconds))
            ON CONFLICT (public_id) DO NOTHING
            """)
    }

    public func feedOwner(userID: Int64) throws -> FeedOwner? {
        try read { connection in try Self.feedOwner(connection, userID: userID) }
    }

    public func feedOwner(publicID: PublicID) throws -> FeedOwner? {
        try snapshot { connection in
            let id = publicID.rawValue
            guard
                let row = try connection.run(
                    """
                    SELECT user_id FROM events WHERE public_id = \(id)
                    UNION ALL SELECT user_id FROM event_tombstones WHERE public_id = \(id)
                    UNION ALL SELECT id FROM users WHERE feed_id = \(id)
                    LIMIT 1
                    """
                ).first
            else { return nil }
            return try Self.feedOwner(connection, userID: try row.decode(Int64.self))
        }
    }

    public func feedOwners() throws -> [FeedOwner] {
        try read { connection in
            try connection.run("SELECT id, feed_id, full_name FROM users ORDER BY id").compactMap { row in
                let (id, feedID, name) = try row.decode((Int64, String?, String?).self)
                return feedID.flatMap(PublicID.init).map { FeedOwner(userID: id, feedID: $0, name: name) }
            }
        }
    }

    public func organizerFeed(userID: Int64, now: Date) throws -> OrganizerFeed? {
        try snapshot { connection in
            guard let owner = try Self.feedOwner(connection, userID: userID) else { return nil }
            let cutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            var events = try Self.events(connection, where: "WHERE user_id = \(userID) AND listed AND COALESCE(last_end, end_datetime) > \(cutoff)")
            events += try Self.tombstones(connection, where: "WHERE user_id = \(userID) AND listed AND COALESCE(last_end, end_datetime) > \(cutoff)")
            events.sort { ($0.start, $0.publicID.rawValue) < ($1.start, $1.publicID.rawValue) }
            return OrganizerFeed(owner: owner, userDefaults: try Self.widgetDefaults(connection, userID: userID), events: events)
        }
    }

    public func deletedEvent(publicID: PublicID) throws -> PublishableEvent? {
        try snapshot { connection in
            guard let tombstone = try Self.tombstones(connection, where: "WHERE public_id = \(publicID.rawValue)").first else { return nil }
            return try Self.publishable(connection, tombstone)
        }
    }

    public func deletedEventIDs() throws -> [PublicID] {
        try read { connection in
            try connection.run("SELECT public_id FROM event_tombstones ORDER BY public_id").compactMap { PublicID(try $0.decode(String.self)) }
        }
    }

    public func lifecycleDue(now: Date, limit: Int) throws -> [LifecycleDue] {
        try read { connection in
            let agedCutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            return try connection.run(
                """
                SELECT id, public_id, user_id, COALESCE(last_end, end_datetime), 'ended' FROM events
                WHERE COALESCE(last_end, end_datetime) <= \(now.epochSeconds)
                AND ended_published_for IS DISTINCT FROM COALESCE(last_end, end_datetime)
                UNION ALL
                SELECT id, public_id, user_id, COALESCE(last_end, end_datetime), 'agedOut' FROM events
                WHERE COALESCE(last_end, end_datetime) <= \(agedCutoff)
                AND aged_published_for IS DISTINCT FROM COALESCE(last_end, end_datetime)
                UNION ALL
                SELECT id, public_id, user_id, session_render_at, 'session' FROM events WHERE session_render_at <= \(now.epochSeconds)
                ORDER BY 4 LIMIT \(Int64(limit))
                """
            ).compactMap { row in
                let (id, publicID, userID, end, step) = try row.decode((Int64, String, Int64, Int64, String).self)
                return LifecycleDue.Step(rawValue: step).map {
                    LifecycleDue(key: EventKey(id: id, publicID: PublicID(publicID)), userID: userID, step: $0, end: Date(epochSeconds: end))
                }
            }
        }
    }

    public func markLifecycleDone(_ due: LifecycleDue) throws {
        try write { connection in
            switch due.step {
            case .ended, .agedOut:
                let column = due.step == .ended ? "ended_published_for" : "aged_published_for"
                try connection.run(
                    """
                    UPDATE events SET \(unescaped: column) = COALESCE(last_end, end_datetime)
                    WHERE id = \(due.key.id) AND COALESCE(last_end, end_datetime) = \(due.end.epochSeconds)
                    """)
            case .session:
                guard let event = try Self.events(connection, where: "WHERE id = \(due.key.id) FOR UPDATE").first else { return }
                try connection.run(
                    """
                    UPDATE events SET session_render_at = \(event.nextSessionChange(after: due.end)?.epochSeconds)
                    WHERE id = \(due.key.id) AND session_render_at = \(due.end.epochSeconds)
                    """)
            }
        }
    }

    public func purgeDeletedEvents(now: Date) throws -> [(publicID: PublicID, userID: Int64)] {
        try write { connection in
            let cutoff = now.addingTimeInterval(-Event.feedRetention).epochSeconds
            // The delete trigger logs each id (taking the change-log lock); the organizers' feeds
            // are logged after it, under the same lock, so followers rebuild them too.
            let purged = try connection.run("DELETE FROM event_tombstones WHERE COALESCE(last_end, end_datetime) <= \(cutoff) RETURNING public_id, user_id")
                .map { try $0.decode((String, Int64).self) }
            guard !purged.isEmpty else { return [] }
            let owners = Array(Set(purged.map(\.1))).sorted()
            try connection.run("INSERT INTO link_changes (public_id) SELECT feed_id FROM users WHERE id = ANY(\(owners)) AND feed_id IS NOT NULL")
            return purged.compactMap { row in PublicID(row.0).map { ($0, row.1) } }
        }
    }
}
