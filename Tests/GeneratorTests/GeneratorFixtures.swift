import Core
import Foundation
import Generator
import TestSupport

/// Shared set-up for generator tests: the real templates and sample events.
enum GeneratorFixtures {
    static let start = Date(timeIntervalSince1970: 1_796_137_200)  // 2026-12-01 15:00 UTC

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

    static func item(_ event: Event, defaults: CustomizationOverrides = .init()) -> PublishableEvent {
        PublishableEvent(event: event, userDefaults: defaults)
    }
}
