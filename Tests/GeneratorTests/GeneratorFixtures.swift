import Core
import Storage
import Foundation
import Generator
import Logging
import TestSupport

/// Shared set-up for generator tests: the real templates and sample events.
enum GeneratorFixtures {
    static let start = Date(timeIntervalSince1970: 2_679_750_000)  // 2054-12-01 15:00 UTC
    /// The generators' clock in these tests: a day before the sample events, so they are upcoming
    /// whatever day the suite runs.
    static let before = start.addingTimeInterval(-86_400)

    /// A generator over the real templates, writing into `out`.
    static func generator(_ database: any DataStore, out: String) async throws -> SiteGenerator {
        SiteGenerator(
            database: database, renderer: WidgetRenderer(templates: try await templates(), uidHost: "example.org"),
            publisher: Publisher(root: out), logger: Logger(label: "test"), now: { before })
    }

    /// One organizer with `count` stored events.
    static func createEvents(_ database: any DataStore, count: Int) throws -> [Event] {
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: start)
        return try (0..<count).map { index in
            let draft = try EventDraft(
                title: "Event \(index)", start: start, end: start.addingTimeInterval(600), webinarURL: "https://example.com/\(index)"
            ).validated()
            return try database.createEvent(draft, userID: user.id, publicID: .random(), now: start)
        }
    }

    static func templates() async throws -> TemplateLibrary {
        try await TemplateLibrary.load(directory: PackagePaths.templates)
    }

    static func event(
        id: Int64 = 1, publicID: String = "AbCdEfGhIjKlMnOpQrStUv", title: String = "Quarterly webinar",
        description: String = "All the news.", timeZone: String = "Europe/Warsaw"
    ) -> Event {
        Event(
            id: id, userID: 1, publicID: PublicID(publicID)!, title: title, description: description, start: start,
            end: start.addingTimeInterval(3_600), timeZone: timeZone, webinarURL: "https://example.com/join",
            createdAt: start, updatedAt: start)
    }

    static let owner = FeedOwner(userID: 1, feedID: PublicID("FeedFeedFeedFeedFeed01")!, name: "Ada")

    static func item(_ event: Event, defaults: CustomizationOverrides = .init()) -> PublishableEvent {
        PublishableEvent(event: event, userDefaults: defaults, organizer: owner)
    }
}
