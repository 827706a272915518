import Foundation

/// An organizer account, as the rest of the product may see it (no password hash).
public struct User: Equatable, Sendable {
    public var id: Int64
    public var email: String
    public var fullName: String?
    public var createdAt: Date
    /// The unguessable id of the organizer's feed of listed events (`/feed/{id}/calendar.ics`).
    public var feedID: PublicID

    public init(id: Int64, email: String, fullName: String?, createdAt: Date, feedID: PublicID) {
        self.id = id
        self.email = email
        self.fullName = fullName
        self.createdAt = createdAt
        self.feedID = feedID
    }
}
