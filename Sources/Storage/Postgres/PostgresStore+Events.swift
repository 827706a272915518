import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The columns every event read selects, in the order `decodeEvent` expects.
    static let eventColumns: PostgresQuery = """
        SELECT id, user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
        customization_settings, sequence, status, recording_url, listed, created_at, updated_at, recurrence FROM events
        """

    static func decodeEvent(_ row: PostgresRow) throws -> Event {
        let (id, userID, publicID, title, description, start, end, timeZone, webinarURL, customization, sequence) =
            try row.decode((Int64, Int64, String, String, String, Int64, Int64, String, String, String, Int32).self)
        let columns = row.makeRandomAccess()
        let status = try columns[11].decode(String.self)
        let recordingURL = try columns[12].decode(String?.self)
        let listed = try columns[13].decode(Bool.self)
        let createdAt = try columns[14].decode(Int64.self)
        let updatedAt = try columns[15].decode(Int64.self)
        let recurrence = try StoredJSON.decodeRecurrence(try columns[16].decode(String?.self))
        guard let publicID = PublicID(publicID), let status = EventStatus(rawValue: status) else {
            throw StorageError.corruptRow(table: "events", id: id)
        }
        return Event(
            id: id, userID: userID, publicID: publicID, title: title, description: description, start: Date(epochSeconds: start),
            end: Date(epochSeconds: end), timeZone: timeZone, webinarURL: webinarURL, customization: try StoredJSON.decode(customization),
            sequence: Int(sequence), status: status, recordingURL: recordingURL, listed: listed, recurrence: recurrence,
            createdAt: Date(epochSeconds: createdAt), updatedAt: Date(epochSeconds: updatedAt))
    }

    static func events(_ connection: PostgresConnection, where condition: PostgresQuery) throws -> [Event] {
        var query = eventColumns
        query.sql += " " + condition.sql  // the column list has no binds, so $1… stay as they are
        query.binds = condition.binds
        return try connection.run(query).map(decodeEvent)
    }

    public func createEvent(_ draft: EventDraft, userID: Int64, publicID: PublicID, now: Date) throws -> Event {
        try write { connection in
            let event = Event(
                id: 0, userID: userID, publicID: publicID, title: draft.title, description: draft.description, start: draft.start,
                end: draft.end, timeZone: draft.timeZone, webinarURL: draft.webinarURL, customization: draft.customization,
                sequence: 0, status: draft.status, recordingURL: draft.recordingURL, listed: draft.listed, recurrence: draft.recurrence,
                createdAt: now, updatedAt: now)
            let json = try StoredJSON.encode(draft.customization)
            let rule = try StoredJSON.encode(draft.recurrence)
            let id = try connection.run(
                """
                INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
                customization_settings, sequence, status, recording_url, listed, recurrence, last_end, session_render_at,
                created_at, updated_at)
                VALUES (\(userID), \(publicID.rawValue), \(draft.title), \(draft.description), \(draft.start.epochSeconds),
                \(draft.end.epochSeconds), \(draft.timeZone), \(draft.webinarURL), \(json), 0, \(draft.status.rawValue),
                \(draft.recordingURL), \(draft.listed), \(rule), \(event.lastEnd.epochSeconds),
                \(event.nextSessionChange(after: now)?.epochSeconds), \(now.epochSeconds), \(now.epochSeconds))
                RETURNING id
                """
            ).single(Int64.self)
            var stored = event
            stored.id = id
            return Self.asStored(stored)
        }
    }

    public func updateEvent(id: Int64, userID: Int64, now: Date, _ change: (Event) throws -> EventDraft) throws -> Event {
        try write { connection in
            guard let previous = try Self.events(connection, where: "WHERE id = \(id) AND user_id = \(userID) FOR UPDATE").first else {
                throw StorageError.notFound
            }
            let draft = try change(previous)
            let updated = previous.applying(draft, now: now)
            try Self.store(connection, updated)
            // As stored (whole seconds), which is what every later read returns.
            return Self.asStored(updated)
        }
    }

    private static func store(_ connection: PostgresConnection, _ event: Event) throws {
        let json = try StoredJSON.encode(event.customization)
        try connection.run(
            """
            UPDATE events SET title = \(event.title), description = \(event.description), start_datetime = \(event.start.epochSeconds),
            end_datetime = \(event.end.epochSeconds), timezone = \(event.timeZone), webinar_url = \(event.webinarURL),
            customization_settings = \(json), sequence = \(Int32(clamping: event.sequence)), status = \(event.status.rawValue),
            recording_url = \(event.recordingURL), listed = \(event.listed), recurrence = \(try StoredJSON.encode(event.recurrence)),
            last_end = \(event.lastEnd.epochSeconds), session_render_at = \(event.nextSessionChange(after: event.updatedAt)?.epochSeconds),
            updated_at = \(event.updatedAt.epochSeconds)
            WHERE id = \(event.id)
            """)
    }

    @discardableResult
    public func revertEvent(to previous: Event, from written: Event) throws -> Bool {
        try write { connection in
            guard let stored = try Self.events(connection, where: "WHERE id = \(written.id) FOR UPDATE").first,
                stored == Self.asStored(written)
            else { return false }
            try Self.store(connection, previous)
            return true
        }
    }

    /// An event as a read would return it: times in whole seconds.
    static func asStored(_ event: Event) -> Event {
        var event = event
        event.start = Date(epochSeconds: event.start.epochSeconds)
        event.end = Date(epochSeconds: event.end.epochSeconds)
        event.createdAt = Date(epochSeconds: event.createdAt.epochSeconds)
        event.updatedAt = Date(epochSeconds: event.updatedAt.epochSeconds)
        return event
    }

    public func deleteEvent(id: Int64, userID: Int64, tombstoneAt now: Date?) throws -> Event {
        try write { connection in
            guard let event = try Self.events(connection, where: "WHERE id = \(id) AND user_id = \(userID) FOR UPDATE").first else {
                throw StorageError.notFound
            }
            try connection.run("DELETE FROM events WHERE id = \(id)")
            if let now { try Self.storeTombstone(connection, event.tombstone(at: now)) }
            return event
        }
    }

    public func event(id: Int64) throws -> Event? {
        try read { connection in try Self.events(connection, where: "WHERE id = \(id)").first }
    }

    public func event(id: Int64, userID: Int64) throws -> Event? {
        try read { connection in try Self.events(connection, where: "WHERE id = \(id) AND user_id = \(userID)").first }
    }

    public func events(userID: Int64) throws -> [Event] {
        try read { connection in try Self.events(connection, where: "WHERE user_id = \(userID) ORDER BY created_at DESC, id DESC") }
    }

    public func eventPage(userID: Int64, limit: Int, offset: Int) throws -> EventPage {
        try snapshot { connection in
            let total = try connection.run("SELECT COUNT(*) FROM events WHERE user_id = \(userID)").single(Int64.self)
            let events = try Self.events(
                connection, where: "WHERE user_id = \(userID) ORDER BY created_at DESC, id DESC LIMIT \(Int64(limit)) OFFSET \(Int64(offset))")
            return EventPage(events: events, total: Int(total))
        }
    }

    public func publishableEvent(id: Int64) throws -> PublishableEvent? {
        try snapshot { connection in
            guard let event = try Self.events(connection, where: "WHERE id = \(id)").first else { return nil }
            return try Self.publishable(connection, event)
        }
    }

    public func publishableEvent(publicID: PublicID) throws -> PublishableEvent? {
        try snapshot { connection in
            guard let event = try Self.events(connection, where: "WHERE public_id = \(publicID.rawValue)").first else { return nil }
            return try Self.publishable(connection, event)
        }
    }

    public func publicationSnapshot() throws -> PublicationSnapshot {
        try snapshot { connection in
            var defaults: [Int64: CustomizationOverrides] = [:]
            var unreadableDefaults: Set<Int64> = []
            for row in try connection.run("SELECT user_id, iframe_defaults FROM user_settings") {
                let (userID, text) = try row.decode((Int64, String).self)
                if let decoded = try? StoredJSON.decode(text) { defaults[userID] = decoded } else { unreadableDefaults.insert(userID) }
            }
            var owners: [Int64: FeedOwner] = [:]
            for row in try connection.run("SELECT id, feed_id, full_name FROM users") {
                let (id, feedID, name) = try row.decode((Int64, String?, String?).self)
                if let feedID = feedID.flatMap(PublicID.init) { owners[id] = FeedOwner(userID: id, feedID: feedID, name: name) }
            }
            var snapshot = PublicationSnapshot()
            let placements = try Self.allPlacements(connection)
            var query = Self.eventColumns
            query.sql += " ORDER BY id"
            for row in try connection.run(query) {
                let (id, userID, publicID) = try row.decode((Int64, Int64, String).self)
                guard let event = try? Self.decodeEvent(row), !unreadableDefaults.contains(userID), let owner = owners[userID] else {
                    snapshot.unreadable.append(.init(id: id, publicID: PublicID(publicID)))
                    continue
                }
                snapshot.items.append(
                    PublishableEvent(
                        event: event, userDefaults: defaults[userID] ?? CustomizationOverrides(), organizer: owner,
                        placements: placements[event.id] ?? []))
            }
            return snapshot
        }
    }

    public func eventKeys() throws -> [EventKey] {
        try read { connection in try Self.keys(connection.run("SELECT id, public_id FROM events ORDER BY id")) }
    }

    public func eventKeys(userID: Int64) throws -> [EventKey] {
        try read { connection in try Self.keys(connection.run("SELECT id, public_id FROM events WHERE user_id = \(userID) ORDER BY id")) }
    }

    private static func keys(_ result: PostgresQueryResult) throws -> [EventKey] {
        try result.map { row in
            let (id, publicID) = try row.decode((Int64, String).self)
            return EventKey(id: id, publicID: PublicID(publicID))
        }
    }

    public func eventExists(publicID: PublicID) throws -> Bool {
        try read { connection in
            try connection.run("SELECT EXISTS (SELECT 1 FROM events WHERE public_id = \(publicID.rawValue))").single(Bool.self)
        }
    }
}
