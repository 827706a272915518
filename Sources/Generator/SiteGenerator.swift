import Core
import Foundation
import Logging

/// Keeps `out/` in step with the database: renders an event's files and publishes them, removes
/// them when the event goes, and rebuilds the whole tree after deploys, crashes or template changes.
///
/// Every write to an event's files happens under that event's `PublishLocks` lock and starts by
/// reading the event from the database inside it. Whatever order concurrent edits, deletions and
/// rebuilds (also in other processes) run in, the files end up matching the database: a deleted
/// event cannot come back, and an older snapshot cannot overwrite a newer render.
public struct SiteGenerator: Sendable {
    let database: any DataStore
    public let renderer: WidgetRenderer
    let publisher: Publisher
    let logger: Logger
    private let locks: PublishLocks

    public init(database: any DataStore, renderer: WidgetRenderer, publisher: Publisher, logger: Logger) {
        self.database = database
        self.renderer = renderer
        self.publisher = publisher
        self.logger = logger
        self.locks = PublishLocks(root: publisher.root)
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

    /// What `sync` found in the database.
    public enum SyncResult: Sendable, Equatable {
        /// The event exists; its files now match it.
        case published
        /// The event is gone (or never existed); its files are gone too.
        case removed
    }

    /// Makes the files of one event match the database, under its lock: renders and publishes it
    /// when it exists, removes its files when it does not. Rendering happens before any write, so
    /// an event that cannot be rendered keeps its previous files.
    @discardableResult
    public func sync(eventID: Int64, publicID: PublicID) throws -> SyncResult {
        try sync(publicID) { try database.publishableEvent(id: eventID).flatMap { $0.event.publicID == publicID ? $0 : nil } }
    }

    /// The same for an event known by its public id: what the change log names, also for events
    /// deleted since (the follower's path).
    @discardableResult
    public func sync(publicID: PublicID) throws -> SyncResult {
        try sync(publicID) { try database.publishableEvent(publicID: publicID) }
    }

    /// Both `sync`s: under the event's lock, `read` the database, then publish or remove.
    private func sync(_ publicID: PublicID, read: () throws -> PublishableEvent?) throws -> SyncResult {
        try locks.withLock(publicID) {
            guard let item = try read() else {
                try publisher.remove(publicID)
                return .removed
            }
            try publisher.publish(try renderer.render(item))
            return .published
        }
    }

    /// Publishes an event known only by its id (`generate --event ID`, the demo).
    public func publish(eventID: Int64) throws {
        guard let event = try database.event(id: eventID) else { throw GenerateError.noSuchEvent(eventID) }
        guard try sync(eventID: eventID, publicID: event.publicID) == .published else { throw GenerateError.noSuchEvent(eventID) }
    }

    /// Summary of a full rebuild.
    public struct Report: Sendable {
        public var published: Int
        public var removed: Int
        /// Temporary files and half-removed folders of interrupted runs that were cleaned up.
        public var leftovers: Int
    }

    /// Rebuilds every event's files on every core, removes the files of events that no longer
    /// exist, and cleans up what crashed runs left behind. One bad event does not stop the others;
    /// its previous files stay. Safe while the API (in this or another process) keeps editing:
    /// each event is re-read under its lock, and a folder is removed only if its event is gone.
    @discardableResult
    public func publishAll() throws -> Report {
        let leftovers = sweepLeftovers()
        let keys = try database.eventKeys()
        let failures = Counter()
        let published = Counter()
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(1, (keys.count + workers * 4 - 1) / (workers * 4))
        let chunks = stride(from: 0, to: keys.count, by: chunk).map { $0..<min($0 + chunk, keys.count) }
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            for key in keys[chunks[index]] {
                guard let publicID = key.publicID else {
                    logger.error("event row has no valid public id; it cannot be published", metadata: ["event_id": "\(key.id)"])
                    failures.add()
                    continue
                }
                do {
                    if try sync(eventID: key.id, publicID: publicID) == .published { published.add() }
                } catch {
                    logger.error("could not publish event; its previous files are kept", metadata: ["event_id": "\(key.id)", "error": "\(error)"])
                    failures.add()
                }
            }
        }
        // Folders without a row, checked again under each lock: an event created while this ran
        // has a row by the time its folder exists, so it is never taken for an orphan.
        let listed = Set(keys.compactMap(\.publicID))
        var removed = 0
        for id in publisher.publishedIDs().subtracting(listed) {
            let gone = try locks.withLock(id) { () throws -> Bool in
                guard try !database.eventExists(publicID: id) else { return false }
                try publisher.remove(id)
                return true
            }
            if gone { removed += 1 }
        }
        if failures.value > 0 { throw GenerateError.failed(count: failures.value) }
        return Report(published: published.value, removed: removed, leftovers: leftovers)
    }

    /// Deletes temporaries, backups and renamed-away folders of interrupted publishes, each under
    /// its event's lock so a publish in progress elsewhere keeps its own.
    @discardableResult
    public func sweepLeftovers() -> Int {
        var count = 0
        for leftover in publisher.leftovers() {
            do {
                try locks.withLock(leftover.id) { try publisher.removeLeftover(leftover.path) }
                count += 1
            } catch {
                logger.warning("could not remove a leftover file", metadata: ["path": "\(leftover.path)", "error": "\(error)"])
            }
        }
        if count > 0 { logger.info("removed leftovers of interrupted publishes", metadata: ["count": "\(count)"]) }
        return count
    }
}

/// A thread-safe counter for the parallel rebuild.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
