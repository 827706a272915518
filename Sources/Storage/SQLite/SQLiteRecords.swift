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

    enum CodingKeys: String, CodingKey {
        case id, email
        case passwordHash = "password_hash"
        case fullName = "full_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var user: User {
        User(id: id ?? 0, email: email, fullName: fullName, createdAt: Date(epochSeconds: createdAt))
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
    var createdAt: Int64
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, title, description, timezone, sequence
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
        createdAt = event.createdAt.epochSeconds
        updatedAt = event.updatedAt.epochSeconds
    }

    func event() throws -> Event {
        guard let id, let publicID = PublicID(publicID) else { throw StorageError.corruptRow(table: "events", id: id) }
        return Event(
            id: id, userID: userID, publicID: publicID, title: title, description: description,
            start: Date(epochSeconds: startDatetime), end: Date(epochSeconds: endDatetime), timeZone: timezone,
            webinarURL: webinarURL, customization: try StoredJSON.decode(customizationSettings), sequence: sequence,
            createdAt: Date(epochSeconds: createdAt), updatedAt: Date(epochSeconds: updatedAt))
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
