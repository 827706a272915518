import Foundation

/// A named place where an organizer embeds an event ("homepage", "newsletter June"). Each one has
/// its own widget file and embed code; the views and clicks that come through it are counted for
/// it as well as for the event.
public struct Placement: Sendable, Equatable {
    public var id: Int64
    public var eventID: Int64
    /// Names the placement's widget in public URLs (`/widget/event/{event}/{key}`) and its track
    /// links: unguessable like the event's id, so placements cannot be enumerated.
    public var key: PublicID
    public var name: String
    public var createdAt: Date

    public init(id: Int64, eventID: Int64, key: PublicID, name: String, createdAt: Date) {
        self.id = id
        self.eventID = eventID
        self.key = key
        self.name = name
        self.createdAt = createdAt
    }

    /// How many placements one event may have: enough for any campaign, few enough that the
    /// widget files and the tracker's table stay small.
    public static let maximumPerEvent = 50
    public static let maximumNameLength = 80

    /// The name as stored: trimmed, 1 to 80 characters, no control characters (it is shown in
    /// the panel, in CSV files and as a JSON key, never in the widget).
    public static func validatedName(_ raw: String) throws(ValidationFailure) -> String {
        try DisplayLabel.validated(raw, field: "name", maximumLength: maximumNameLength)
    }
}
