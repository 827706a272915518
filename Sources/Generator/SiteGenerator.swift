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
///
/// Organizers' feeds follow the same discipline under their feed id's lock. An event's lock and
/// its feed's are never held together (locks are striped: nesting two could wait on itself).
public struct SiteGenerator: Sendable {
    let database: any DataStore
    public let renderer: WidgetRenderer
    let publisher: Publisher
    let logger: Logger
    /// The widget of an event that is over says so: renders read this clock.
    let now: @Sendable () -> Date
    private let locks: PublishLocks
    private let deferredFeeds = DeferredFeeds()

    public init(
        database: any DataStore, renderer: WidgetRenderer, publisher: Publisher, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.renderer = renderer
        self.publisher = publisher
        self.logger = logger
        self.now = now
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

    /// Both `sync`s: under the event's lock, `read` the database, then publish or remove. A
    /// deleted event whose tombstone lasts keeps its feed, saying it is cancelled.
    private func sync(_ publicID: PublicID, read: () throws -> PublishableEvent?) throws -> SyncResult {
        try locks.withLock(publicID) {
            if let item = try read() {
                let files = try renderer.render(item, now: now())
                try publisher.publish(files)
                try publisher.removePlacements(of: publicID, keeping: Set(item.placements.map(\.key)))
                try publisher.removeStaleVariants(of: publicID, keeping: files)
                return .published
            }
            if let deleted = try database.deletedEvent(publicID: publicID) {
                try publisher.publish([renderer.eventFeed(deleted)])
                try publisher.removeAllButFeed(publicID)
            } else {
                try publisher.remove(publicID)
            }
            return .removed
        }
    }

    /// Makes an organizer's feed match the database at this moment: listed events whose window
    /// is open, cancellations included. Removes the feed of an organizer who no longer exists.
    public func syncFeed(userID: Int64) throws {
        guard let owner = try database.feedOwner(userID: userID) else { return }
        try syncFeed(owner.feedID, userID: userID)
    }

    private func syncFeed(_ feedID: PublicID, userID: Int64) throws {
        try locks.withLock(feedID) {
            guard let feed = try database.organizerFeed(userID: userID, now: now()), feed.owner.feedID == feedID else {
                try publisher.removeFeed(feedID)
                return
            }
            try publisher.publish([renderer.organizerFeed(feed)])
        }
    }

    /// `syncFeed` for the API's paths: a failure (a full disk, say) is logged and the feed kept
    /// for `retryDeferredFeeds`, which the scheduler calls on every tick. The event's own files
    /// are already right by then, and the answer about them should not fail over the feed.
    public func syncFeedSoon(userID: Int64) {
        do {
            try syncFeed(userID: userID)
        } catch {
            logger.error("could not publish an organizer's feed; retrying shortly", metadata: ["user_id": "\(userID)", "error": "\(error)"])
            deferredFeeds.add(userID)
        }
    }

    /// Retries the feeds `syncFeedSoon` could not write; returns how many still fail.
    @discardableResult
    public func retryDeferredFeeds() -> Int {
        for userID in deferredFeeds.takeAll() {
            do { try syncFeed(userID: userID) } catch { deferredFeeds.add(userID) }
        }
        return deferredFeeds.count
    }

    /// Re-syncs everything the change log names: each event (or tombstone), then the feed of
    /// each organizer involved, once however many of their events changed (a settings change
    /// names all of them). A name may also be a feed id. Returns the names that failed.
    public func sync(changed ids: some Sequence<PublicID>) -> Set<PublicID> {
        var failed: Set<PublicID> = []
        var feeds: [Int64: PublicID] = [:]
        for id in ids {
            do {
                try sync(publicID: id)
                if let owner = try database.feedOwner(publicID: id) {
                    feeds[owner.userID] = owner.feedID
                } else {
                    // Names nothing any more: if it was an organizer's feed (the account was
                    // deleted), its file goes too.
                    try locks.withLock(id) { try publisher.removeFeed(id) }
                }
            } catch {
                logger.error("could not publish a changed event", metadata: ["public_id": "\(id.rawValue)", "error": "\(error)"])
                failed.insert(id)
            }
        }
        for (userID, feedID) in feeds {
            do {
                try syncFeed(feedID, userID: userID)
            } catch {
                logger.error("could not publish an organizer's feed", metadata: ["user_id": "\(userID)", "error": "\(error)"])
                failed.insert(feedID)
            }
        }
        return failed
    }

    /// Removes every public file of an erased organizer: each event's and tombstone's files (the
    /// rows are gone, so each sync removes) and their feed.
    public func removeAccount(_ deleted: DeletedAccount) throws {
        for id in deleted.publicIDs { try sync(publicID: id) }
        try locks.withLock(deleted.feedID) { try publisher.removeFeed(deleted.feedID) }
    }

    /// Publishes an event known only by its id (`generate --event ID`, the demo).
    public func publish(eventID: Int64) throws {
        guard let event = try database.event(id: eventID) else { throw GenerateError.noSuchEvent(eventID) }
        guard try sync(eventID: eventID, publicID: event.publicID) == .published else { throw GenerateError.noSuchEvent(eventID) }
        try syncFeed(userID: event.userID)
    }

    /// Summary of a full rebuild.
    public struct Report: Sendable {
        public var published: Int
        public var removed: Int
        /// Temporary files and half-removed folders of interrupted runs that were cleaned up.
        public var leftovers: Int
        /// Organizers' feeds written (or found up to date).
        public var feeds: Int
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
        // Deleted events keep their feed (saying cancelled) while their tombstone lasts.
        let tombstones = try database.deletedEventIDs()
        for id in tombstones {
            do {
                try sync(publicID: id)
            } catch {
                logger.error("could not publish a deleted event's feed", metadata: ["public_id": "\(id.rawValue)", "error": "\(error)"])
                failures.add()
            }
        }
        // Folders without a row, checked again under each lock: an event created while this ran
        // has a row by the time its folder exists, so it is never taken for an orphan.
        let listed = Set(keys.compactMap(\.publicID)).union(tombstones)
        var removed = 0
        for id in publisher.publishedIDs().subtracting(listed) {
            let gone = try locks.withLock(id) { () throws -> Bool in
                guard try !database.eventExists(publicID: id), try database.deletedEvent(publicID: id) == nil else { return false }
                try publisher.remove(id)
                return true
            }
            if gone { removed += 1 }
        }
        // Every organizer's feed, at this moment; feeds of organizers who are gone go too.
        let owners = try database.feedOwners()
        var feeds = 0
        for owner in owners {
            do {
                try syncFeed(owner.feedID, userID: owner.userID)
                feeds += 1
            } catch {
                logger.error("could not publish an organizer's feed", metadata: ["user_id": "\(owner.userID)", "error": "\(error)"])
                failures.add()
            }
        }
        for feedID in publisher.publishedFeedIDs().subtracting(owners.map(\.feedID)) {
            try locks.withLock(feedID) {
                guard try database.feedOwner(publicID: feedID) == nil else { return }
                try publisher.removeFeed(feedID)
            }
        }
        if failures.value > 0 { throw GenerateError.failed(count: failures.value) }
        return Report(published: published.value, removed: removed, leftovers: leftovers, feeds: feeds)
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

/// Organizers whose feed could not be written; shared by every copy of the generator.
private final class DeferredFeeds: @unchecked Sendable {
    private let lock = NSLock()
    private var users: Set<Int64> = []
    func add(_ userID: Int64) { _ = lock.withLock { users.insert(userID) } }
    func takeAll() -> Set<Int64> {
        lock.withLock {
            defer { users.removeAll() }
            return users
        }
    }
    var count: Int { lock.withLock { users.count } }
}

/// A thread-safe counter for the parallel rebuild.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
