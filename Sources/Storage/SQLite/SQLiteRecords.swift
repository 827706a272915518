import Foundation
import Core
import GRDB

/// Row of `users`. Internal: other modules see `User`, never the password hash column.
struct UserRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "users"
    var id: Int64?
    var email: String
    var passwordHash: String
    var fullName: String?
    var createdAt: Int64
    var updatedAt: Int64
    var feedID: String?

    enum CodingKeys: String, CodingKey {
        case id, email
        case passwordHash = "password_hash"
        case fullName = "full_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case feedID = "feed_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    func user() throws -> User {
        guard let id, let feedID = feedID.flatMap(PublicID.init) else { throw StorageError.corruptRow(table: "users", id: id) }
        return User(id: id, email: email, fullName: fullName, createdAt: Date(epochSeconds: createdAt), feedID: feedID)
    }
}

/// Row of `events`.
struct EventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "events"
    var id: Int64?
    var userID: Int64
    var publicID: String
    var title: String
    var description: String
    var startDatetime: Int64
    var endDatetime: Int64
    var timezone: String
    var webinarURL: String
    var customizationSettings: String
    var sequence: Int
    var status: String
    var recordingURL: String?
    var listed: Bool
    var recurrence: String?
    /// Derived from the rule, for the queries (feed window, scheduler); never read back.
    var lastEnd: Int64?
    var sessionRenderAt: Int64?
    var createdAt: Int64
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, title, description, timezone, sequence, status, listed, recurrence
        case recordingURL = "recording_url"
        case lastEnd = "last_end"
        case sessionRenderAt = "session_render_at"
        case userID = "user_id"
        case publicID = "public_id"
        case startDatetime = "start_datetime"
        case endDatetime = "end_datetime"
        case webinarURL = "webinar_url"
        case customizationSettings = "customization_settings"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(event: Event) throws {
        id = event.id == 0 ? nil : event.id
        userID = event.userID
        publicID = event.publicID.rawValue
        title = event.title
        description = event.description
        startDatetime = event.start.epochSeconds
        endDatetime = event.end.epochSeconds
        timezone = event.timeZone
        webinarURL = event.webinarURL
        customizationSettings = try StoredJSON.encode(event.customization)
        sequence = event.sequence
        status = event.status.rawValue
        recordingURL = event.recordingURL
        listed = event.listed
        recurrence = try StoredJSON.encode(event.recurrence)
        lastEnd = event.lastEnd.epochSeconds
        // As of the write: the widget next moves on at the end of the next session but the last.
        sessionRenderAt = event.nextSessionChange(after: event.updatedAt)?.epochSeconds
        createdAt = event.createdAt.epochSeconds
        updatedAt = event.updatedAt.epochSeconds
    }

    func event() throws -> Event {
        guard let id, let publicID = PublicID(publicID), let status = EventStatus(rawValue: status) else {
            throw StorageError.corruptRow(table: "events", id: id)
        }
        return Event(
            id: id, userID: userID, publicID: publicID, title: title, description: description,
            start: Date(epochSeconds: startDatetime), end: Date(epochSeconds: endDatetime), timeZone: timezone,
            webinarURL: webinarURL, customization: try StoredJSON.decode(customizationSettings), sequence: sequence,
            status: status, recordingURL: recordingURL, listed: listed, recurrence: try StoredJSON.decodeRecurrence(recurrence),
            createdAt: Date(epochSeconds: createdAt), updatedAt: Date(epochSeconds: updatedAt))
    }
}

/// Row of `event_tombstones`: a deleted event's last state, which feeds show as cancelled.
struct TombstoneRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event_tombstones"
    var publicID: String
    var userID: Int64
    var title: String
    var description: String
    var startDatetime: Int64
    var endDatetime: Int64
    var timezone: String
    var webinarURL: String
    var customizationSettings: String
    var sequence: Int
    var listed: Bool
    var createdAt: Int64
    var deletedAt: Int64
    var recurrence: String?
    var lastEnd: Int64?

    enum CodingKeys: String, CodingKey {
        case title, description, timezone, sequence, listed, recurrence
        case lastEnd = "last_end"
        case publicID = "public_id"
        case userID = "user_id"
        case startDatetime = "start_datetime"
        case endDatetime = "end_datetime"
        case webinarURL = "webinar_url"
        case customizationSettings = "customization_settings"
        case createdAt = "created_at"
        case deletedAt = "deleted_at"
    }

    init(_ tombstone: Event) throws {
        publicID = tombstone.publicID.rawValue
        userID = tombstone.userID
        title = tombstone.title
        description = tombstone.description
        startDatetime = tombstone.start.epochSeconds
        endDatetime = tombstone.end.epochSeconds
        timezone = tombstone.timeZone
        webinarURL = tombstone.webinarURL
        customizationSettings = try StoredJSON.encode(tombstone.customization)
        sequence = tombstone.sequence
        listed = tombstone.listed
        createdAt = tombstone.createdAt.epochSeconds
        deletedAt = tombstone.updatedAt.epochSeconds
        recurrence = try StoredJSON.encode(tombstone.recurrence)
        lastEnd = tombstone.lastEnd.epochSeconds
    }

    func event() throws -> Event {
        guard let publicID = PublicID(publicID) else { throw StorageError.corruptRow(table: "event_tombstones", id: nil) }
        return Event(
            id: 0, userID: userID, publicID: publicID, title: title, description: description,
            start: Date(epochSeconds: startDatetime), end: Date(epochSeconds: endDatetime), timeZone: timezone,
            webinarURL: webinarURL, customization: try StoredJSON.decode(customizationSettings), sequence: sequence,
            status: .cancelled, listed: listed, recurrence: try StoredJSON.decodeRecurrence(recurrence), createdAt: Date(epochSeconds: createdAt), updatedAt: Date(epochSeconds: deletedAt))
    }
}

/// Row of `user_settings`.
struct UserSettingsRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "user_settings"
    var userID: Int64
    var iframeDefaults: String
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case iframeDefaults = "iframe_defaults"
        case updatedAt = "updated_at"
    }
}
