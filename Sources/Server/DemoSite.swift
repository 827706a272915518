import Core
import Foundation
import Generator

/// `serve --demo`: a demo organizer with one upcoming webinar, so a new user sees a working widget
/// within a minute of cloning. Idempotent: a second run reuses what the first created.
public struct DemoSite: Sendable {
    public static let organizerEmail = "demo@attendify.invalid"
    /// Not a valid password hash, so nobody can sign in as the demo organizer.
    static let disabledPasswordHash = "!demo-account-has-no-password"

    public struct Result: Sendable {
        public var event: Event
        public var widgetURL: String
        public var icsURL: String
    }

    let dependencies: AppDependencies
    let publicURL: URL

    public init(dependencies: AppDependencies, publicURL: URL) {
        self.dependencies = dependencies
        self.publicURL = publicURL
    }

    public func prepare() throws -> Result {
        let database = dependencies.database
        let now = dependencies.now()
        let user =
            try database.user(email: Self.organizerEmail)
            ?? database.createUser(
                email: Self.organizerEmail, passwordHash: Self.disabledPasswordHash, fullName: "Demo Organizer", now: now)
        let event: Event
        if let existing = try database.events(userID: user.id).first {
            event = existing
        } else {
            // Tomorrow at 16:00 Warsaw time: always in the future, a realistic webinar slot.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Warsaw")!
            let tomorrow = calendar.date(byAdding: .day, value: 1, to: now)!
            let start = calendar.date(bySettingHour: 16, minute: 0, second: 0, of: tomorrow)!
            let draft = try EventDraft(
                title: "Attendify demo: launching your first webinar",
                description: "A 60-minute walk-through of planning, promoting and running a webinar.\nQuestions welcome!",
                start: start, end: start.addingTimeInterval(3_600), timeZone: "Europe/Warsaw",
                webinarURL: "https://example.com/webinars/demo"
            ).validated()
            event = try database.createEvent(draft, userID: user.id, publicID: PublicID.random(), now: now)
        }
        try dependencies.generator.publish(eventID: event.id)
        let origin = publicURL.absoluteString.hasSuffix("/") ? String(publicURL.absoluteString.dropLast()) : publicURL.absoluteString
        return Result(
            event: event, widgetURL: "\(origin)/widget/event/\(event.publicID.rawValue)",
            icsURL: "\(origin)\(ProviderLinks.icsPath(event.publicID))")
    }
}
