import Core
import EdgeTracker
import Foundation
import Testing

/// Changes committed after the link table was loaded but before the refresher's first poll.
@Suite struct LinkTableStartupTests {
    @Test func anEditBetweenLoadAndStartIsFollowed() async throws {
        try await withTracker(beforeServing: { database, event in
            var draft = try TrackerHarness.draft(title: "Edited before start")
            draft.description = "Agenda"
            _ = try database.updateEvent(id: event.id, userID: event.userID, with: draft, now: TrackerHarness.start)
        }) { harness in
            let followed = try await harness.eventually {
                try await harness.click("google").header("Location")?.contains("text=Edited%20before%20start") == true
            }
            #expect(followed, "an edit committed between loadAll() and run() never reached the table")
        }
    }

    @Test func aDeletionBetweenLoadAndStartIsFollowed() async throws {
        try await withTracker(beforeServing: { database, event in
            _ = try database.deleteEvent(id: event.id, userID: event.userID)
        }) { harness in
            let gone = try await harness.eventually { try await harness.click("google").status == 404 }
            #expect(gone, "a deletion committed between loadAll() and run() never reached the table")
        }
    }
}
