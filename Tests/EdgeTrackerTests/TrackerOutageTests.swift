import Core
import EdgeTracker
import Foundation
@testable import Storage
import TestSupport
import Testing

/// A click for an event the tracker has not loaded yet, while the database cannot answer: 503
/// with Retry-After, not a 404 that tells the visitor a live event does not exist; and the
/// failure is not remembered once the database is back.
@Suite struct TrackerOutageTests {
    @Test(.enabled(if: Backend.suiteDefault == .sqlite, "the outage is made with SQL on the SQLite file (PostgreSQL outages: Tests/faults)"))
    func anUnknownIdDuringAnOutageIs503AndWorksOnceTheDatabaseIsBack() async throws {
        try await withTracker { harness in
            let sqlite = try #require(harness.database as? SQLiteStore)
            let user = try #require(try harness.database.user(email: "o@example.com"))
            try await sqlite.writer.write { db in try db.execute(sql: "ALTER TABLE events RENAME TO events_away") }
            let unknown = PublicID.random()
            let answer = try await harness.client.send(
                "GET", "/track/\(unknown.rawValue)/google", headers: [("User-Agent", TrackerHarness.browser)])
            #expect(answer.status == 503)
            #expect(answer.header("Retry-After") == "5")
            #expect(answer.text == "Temporarily unavailable; try again in a few seconds\n")
            try await sqlite.writer.write { db in try db.execute(sql: "ALTER TABLE events_away RENAME TO events") }
            let event = try harness.database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: unknown, now: TrackerHarness.start)
            #expect(event.publicID == unknown)
            let click = try await harness.client.send("GET", "/track/\(unknown.rawValue)/google", headers: [("User-Agent", TrackerHarness.browser)])
            #expect(click.status == 302)
        }
    }
}
