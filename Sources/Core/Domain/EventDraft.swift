import Foundation

/// What an organizer submits to create or replace an event, before it has ids and timestamps.
/// `validated()` is the single place the event rules live; the API, the demo and the tests use it.
public struct EventDraft: Equatable, Sendable {
    public var title: String
    public var description: String
    public var start: Date
    public var end: Date
    public var timeZone: String
    public var webinarURL: String
    public var customization: CustomizationOverrides
    public var status: EventStatus
    public var recordingURL: String?
    public var listed: Bool
    public var recurrence: Recurrence?

    public static let titleLength = 1...200
    public static let maximumDescriptionLength = 5_000
    public static let maximumURLLength = 2_000

    public init(
        title: String, description: String = "", start: Date, end: Date, timeZone: String = "UTC",
        webinarURL: String, customization: CustomizationOverrides = .init(), status: EventStatus = .scheduled,
        recordingURL: String? = nil, listed: Bool = true, recurrence: Recurrence? = nil
    ) {
        self.title = title
        self.description = description
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.webinarURL = webinarURL
        self.customization = customization
        self.status = status
        self.recordingURL = recordingURL
        self.listed = listed
        self.recurrence = recurrence
    }

    /// The draft in canonical form (normalized text, trimmed title and URL), or every rule it breaks.
    public func validated() throws(ValidationFailure) -> EventDraft {
        var draft = self
        var issues: [ValidationIssue] = []
        draft.title = PlainText.normalized(title).trimmingWhitespace()
        draft.description = PlainText.normalized(description)
        draft.webinarURL = webinarURL.trimmingWhitespace()
        // An empty recording link means "none", so a cleared form field is not an error.
        draft.recordingURL = recordingURL.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }

        if !Self.titleLength.contains(draft.title.count) {
            issues.append(.init(field: "title", message: "must be 1 to \(Self.titleLength.upperBound) characters"))
        }
        if draft.description.count > Self.maximumDescriptionLength {
            issues.append(.init(field: "description", message: "must be at most \(Self.maximumDescriptionLength) characters"))
        }
        if let problem = Self.problem(withWebinarURL: draft.webinarURL) {
            issues.append(.init(field: "webinar_url", message: problem))
        }
        if let recording = draft.recordingURL, let problem = Self.problem(withWebinarURL: recording) {
            issues.append(.init(field: "recording_url", message: problem))
        }
        if draft.end <= draft.start {
            issues.append(.init(field: "end_datetime", message: "must be after start_datetime"))
        }
        if TimeZone(identifier: draft.timeZone) == nil || !Self.looksLikeIANAName(draft.timeZone) {
            issues.append(.init(field: "timezone", message: "must be an IANA time zone name such as Europe/Warsaw or UTC"))
        }
        // The rule is checked against the first session in its zone, once both are valid.
        if issues.isEmpty, let recurrence = draft.recurrence, let zone = TimeZone(identifier: draft.timeZone) {
            issues += recurrence.problems(start: draft.start, end: draft.end, zone: zone)
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return draft
    }

    /// Why `url` can't be a webinar link, or nil when it can: an absolute http(s) URL with a host,
    /// no white space or control characters (they would break the `.ics` and redirects).
    static func problem(withWebinarURL url: String) -> String? {
        if url.isEmpty { return "is required" }
        if url.count > maximumURLLength { return "must be at most \(maximumURLLength) characters" }
        if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            return "must not contain spaces or control characters"
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return "must be an absolute http:// or https:// URL" }
        return nil
    }

    /// True for names we accept as zones (see `looksLikeIANAName`).
    public static func isTimeZoneName(_ name: String) -> Bool {
        TimeZone(identifier: name) != nil && looksLikeIANAName(name)
    }

    /// Foundation accepts abbreviations and offsets ("EST", "GMT+2"); we store only real zone names.
    /// ICU's list keeps some old canonical names (Asia/Calcutta) and omits their current IANA
    /// ones (Asia/Kolkata), so an `Area/Location` name the system's zone data resolves as itself
    /// counts too.
    static func looksLikeIANAName(_ name: String) -> Bool {
        name == "UTC" || knownZoneNames.contains(name) || (name.contains("/") && TimeZone(identifier: name)?.identifier == name)
    }

    /// Read once: Foundation builds the list afresh on every call.
    private static let knownZoneNames = Set(TimeZone.knownTimeZoneIdentifiers)
}
