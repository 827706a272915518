import Core
import Foundation

/// Events and dates shared by the Core and storage tests.
public enum Fixtures {
    /// 2054-12-01 15:00:00 UTC.
    public static let start = Date(timeIntervalSince1970: 2_679_750_000)
    public static let publicID = PublicID("AbCdEfGhIjKlMnOpQrStUv")!

    public static func event(
        title: String = "Quarterly webinar", description: String = "All the news.",
        webinarURL: String = "https://example.com/join", timeZone: String = "Europe/Warsaw", sequence: Int = 0
    ) -> Event {
        Event(
            id: 7, userID: 1, publicID: publicID, title: title, description: description, start: start,
            end: start.addingTimeInterval(5_400), timeZone: timeZone, webinarURL: webinarURL, sequence: sequence,
            createdAt: start.addingTimeInterval(-86_400), updatedAt: start.addingTimeInterval(-3_600))
    }
}
