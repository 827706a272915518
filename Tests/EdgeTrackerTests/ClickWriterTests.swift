@testable import EdgeTracker
import Foundation
@testable import Storage
import Logging
import TestSupport
import Testing

@testable import Core

@Suite struct ClickWriterTests {
    @Test func aFailingDatabaseLosesNothingAndTheBatchIsWrittenOnRecovery() async throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.open(path: folder.file("db.sqlite"))
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: TrackerHarness.start)
        let event = try database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: .random(), now: TrackerHarness.start)
        let queue = ClickQueue(capacity: 100)
        let metrics = TrackerMetrics()
        let writer = ClickWriter(database: database, queue: queue, metrics: metrics, config: TrackerConfig(), logger: Logger(label: "test"))
        for second in 0..<10 { _ = queue.append(Click(eventID: event.id, type: .google, clickedAt: Int64(second))) }

        // Break writes behind the writer's back: the table it inserts into is gone.
        try await database.writer.write { db in try db.execute(sql: "ALTER TABLE widget_interactions RENAME TO hidden") }
        #expect(writer.flushOnce() == false)
        #expect(queue.count == 10)  // the batch went back, in order

        try await database.writer.write { db in try db.execute(sql: "ALTER TABLE hidden RENAME TO widget_interactions") }
        #expect(writer.flushOnce() == true)
        #expect(queue.count == 0)
        #expect(try database.rawClickCount(eventID: event.id) == 10)
        #expect(try database.rollupClickCount(eventID: event.id) == 10)
    }

    @Test func clicksOfADeletedEventAreSkippedNotFatal() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.open(path: folder.file("db.sqlite"))
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: TrackerHarness.start)
        let kept = try database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: .random(), now: TrackerHarness.start)
        let deleted = try database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: .random(), now: TrackerHarness.start)
        _ = try database.deleteEvent(id: deleted.id, userID: user.id)
        let stored = try database.recordClicks([
            Click(eventID: kept.id, type: .ics, clickedAt: 10), Click(eventID: deleted.id, type: .ics, clickedAt: 10),
        ])
        #expect(stored == 1)
    }
}
