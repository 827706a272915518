import Core
import Foundation
import Logging

/// Keeps `out/` in step with the database: renders an event's files and publishes them, removes
/// them when the event goes, and rebuilds the whole tree after deploys or template changes.
public struct SiteGenerator: Sendable {
    let database: AppDatabase
    public let renderer: WidgetRenderer
    let publisher: Publisher
    let logger: Logger
    /// Shared by every copy of this generator.
    private let locks = PublishLocks()

    public init(database: AppDatabase, renderer: WidgetRenderer, publisher: Publisher, logger: Logger) {
        self.database = database
        self.renderer = renderer
        self.publisher = publisher
        self.logger = logger
    }

    public enum GenerateError: Error, CustomStringConvertible {
        case noSuchEvent(Int64)
        case failed(count: Int)
        public var description: String {
            switch self {
            case .noSuchEvent(let id): "no event with id \(id)"
            case .failed(let count): "\(count) event(s) could not be published; their previous files were left in place"
            }
        }
    }

    /// Renders first, then publishes: if rendering fails nothing is written and the old files stay.
    public func publish(_ item: PublishableEvent) throws {
        try publisher.publish(try renderer.render(item))
    }

    /// Reads, renders and publishes under the event's lock: when two requests change the same
    /// event at once, the one that publishes last also read last, so the files on disk always
    /// end up matching the database.
    public func publish(eventID: Int64) throws {
        try locks.withLock(eventID) {
            guard let item = try database.publishableEvent(id: eventID) else { throw GenerateError.noSuchEvent(eventID) }
            try publish(item)
        }
    }

    public func remove(_ id: PublicID) throws {
        try publisher.remove(id)
    }

    /// Summary of a full rebuild.
    public struct Report: Sendable {
        public var published: Int
        public var removed: Int
    }

    /// Rebuilds every event's files from one database snapshot, on every core, and removes the
    /// files of events that no longer exist. One bad event does not stop the others.
    @discardableResult
    public func publishAll() throws -> Report {
        let snapshot = try database.publicationSnapshot()
        let items = snapshot.items
        let failures = Failures()
        for row in snapshot.unreadable {
            logger.error("event row cannot be read; its previous files are kept", metadata: ["event_id": "\(row.id)"])
            failures.add()
        }
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(1, (items.count + workers * 4 - 1) / (workers * 4))
        let chunks = stride(from: 0, to: items.count, by: chunk).map { $0..<min($0 + chunk, items.count) }
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            for item in items[chunks[index]] {
                do {
                    try publish(item)
                } catch {
                    logger.error("could not publish event", metadata: ["event_id": "\(item.event.id)", "error": "\(error)"])
                    failures.add()
                }
            }
        }
        // Files of unreadable rows are kept: the event still exists, it just could not be rebuilt.
        let live = Set(items.map(\.event.publicID)).union(snapshot.unreadable.compactMap(\.publicID))
        let orphans = publisher.publishedIDs().subtracting(live)
        for id in orphans { try publisher.remove(id) }
        if failures.count > 0 { throw GenerateError.failed(count: failures.count) }
        return Report(published: items.count, removed: orphans.count)
    }
}

/// Striped locks by event id: publishes of one event are serialized, different events rarely wait.
private final class PublishLocks: Sendable {
    private let locks = (0..<64).map { _ in NSLock() }

    func withLock<T>(_ eventID: Int64, _ body: () throws -> T) rethrows -> T {
        let lock = locks[Int(UInt64(bitPattern: eventID) % UInt64(locks.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// A thread-safe failure counter for the parallel rebuild.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
