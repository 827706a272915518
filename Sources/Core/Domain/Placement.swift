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
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ValidationFailure(field: "name", message: "must not be empty") }
        guard name.count <= maximumNameLength else {
            throw ValidationFailure(field: "name", message: "must be at most \(maximumNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: isForbidden) else {
            throw ValidationFailure(field: "name", message: "must not contain control characters or line breaks")
        }
        return name
    }

    /// Control characters, line and paragraph separators, and invisible format characters (bidi
    /// overrides could make a name read differently in the panel); the zero-width joiner stays,
    /// emoji sequences need it.
    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        case .format: scalar != "\u{200D}"
        default: false
        }
    }
}
