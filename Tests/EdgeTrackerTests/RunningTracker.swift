import Core
import Storage
import EdgeTracker
import Foundation
import Logging
import ServiceLifecycle
import TestSupport

/// A real tracker (bare NIO server, writer, refresher) on a free loopback port, over a real SQLite
/// file with one organizer and one event.
struct TrackerHarness: @unchecked Sendable {
    let folder: TemporaryDirectory
    let database: any DataStore
    let event: Event
    let client: RawHTTPClient
    let edge: EdgeTracker

    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AttendifyTest"
    static let start = Date(timeIntervalSince1970: 2_679_750_000)  // 2054-12-01 15:00 UTC

    static func draft(title: String = "Launch webinar", url: String = "https://example.com/join") throws -> EventDraft {
        try EventDraft(
            title: title, description: "Agenda", start: start, end: start.addingTimeInterval(3_600), webinarURL: url
        ).validated()
    }

    /// Clicks of the harness event that reached the database.
    func storedClicks() throws -> Int { try database.rawClickCount(eventID: event.id) }

    /// Polls until `condition` holds or `timeout` passes; the tests never sleep a fixed time.
    /// Generous, like the follower tests': the whole suite shares two cores (and, in the
    /// PostgreSQL pass, one server with hundreds of connections); this bounds a hang, it does
    /// not measure speed.
    func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    func click(_ type: String, userAgent: String? = browser, method: String = "GET", headers: [(String, String)] = [])
        async throws -> RawHTTPClient.Response
    {
        var all = headers
        if let userAgent { all.append(("User-Agent", userAgent)) }
        return try await client.send(method, "/track/\(event.publicID.rawValue)/\(type)", headers: all)
    }
}

/// Runs `body` against a started tracker. `beforeServing` runs after `EdgeTracker.build` has loaded
/// the link table and before any service starts (the window a start-up race lives in).
func withTracker<T: Sendable>(
    configure: (inout TrackerConfig) -> Void = { _ in },
    beforeServing: (any DataStore, Event) throws -> Void = { _, _ in },
    _ body: @Sendable (TrackerHarness) async throws -> T
) async throws -> T {
    let folder = try TemporaryDirectory()
    let database = try Backend.suiteDefault.makeStore(in: folder).store
    let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: TrackerHarness.start)
    let event = try database.createEvent(TrackerHarness.draft(), userID: user.id, publicID: .random(), now: TrackerHarness.start)
    var config = TrackerConfig()
    config.refreshInterval = .milliseconds(100)
    configure(&config)
    let logger = Logger(label: "test")
    let edge = try EdgeTracker.build(database: database, config: config, logger: logger)
    try beforeServing(database, event)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let services = edge.backgroundServices + [edge.httpService(host: "127.0.0.1", port: 0, logger: logger) { continuation.yield($0) }]
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RawHTTPClient.Failure(description: "tracker did not start") }
        let harness = TrackerHarness(
            folder: folder, database: database, event: event, client: RawHTTPClient(port: port), edge: edge)
        do {
            let result = try await body(harness)
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
    }
}
