import Core
@testable import EdgeTracker
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// A writer that is healthy but behind holds the tracker's intake instead of acknowledging
/// clicks it would have to drop; while writes fail (the database is away) intake is not held.
@Suite struct IntakeBackPressureTests {
    @Test func theQueueHoldsIntakeOnlyWhileHalfFullAndWritesWork() {
        let queue = ClickQueue(capacity: 10)
        let click = Click(eventID: 1, type: .google, clickedAt: 0)
        for _ in 0..<5 { _ = queue.append(click) }
        #expect(!queue.holdsIntake, "exactly half full")
        _ = queue.append(click)
        #expect(queue.holdsIntake)
        queue.writesSucceeded(false)
        #expect(!queue.holdsIntake, "an outage must not stop redirects")
        queue.writesSucceeded(true)
        _ = queue.take(upTo: 2)
        #expect(!queue.holdsIntake)
    }

    @Test func aHeldRequestIsAnsweredOnceTheWriterCatchesUp() async throws {
        let folder = try TemporaryDirectory()
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: TrackerHarness.start)
        let event = try database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: .random(), now: TrackerHarness.start)
        var config = TrackerConfig()
        config.queueCapacity = 4
        config.rateLimitsEnabled = false
        let logger = Logger(label: "test")
        let edge = try EdgeTracker.build(database: database, config: config, logger: logger)
        // Only the HTTP side runs: no writer drains the queue until the test does.
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(services: [edge.httpService(host: "127.0.0.1", port: 0, logger: logger) { continuation.yield($0) }], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let client = RawHTTPClient(port: port)
            let path = "/track/\(event.publicID.rawValue)/google"
            let browser = [("User-Agent", TrackerHarness.browser)]
            for _ in 0..<3 { #expect(try await client.send("GET", path, headers: browser).status == 302) }
            #expect(edge.tracker.queue.holdsIntake)

            let held = Task { try await client.send("GET", path, headers: browser).status }
            try await Task.sleep(for: .milliseconds(300))
            #expect(edge.tracker.queue.count == 3, "a request was taken in while the writer was behind")
            _ = edge.tracker.queue.take(upTo: 10)  // the writer catches up
            #expect(try await held.value == 302)
            #expect(edge.tracker.queue.count == 1)
            #expect(edge.metrics.dropped.load(ordering: .relaxed) == 0)
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
        }
    }
}
