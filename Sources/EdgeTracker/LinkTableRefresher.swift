import Core
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the link table in step with the database, also when the API runs in another process or
/// on another node: loads every event at start, then reads the `link_changes` log (one indexed
/// query) and reloads just the events that changed. It reads when the store pushes a wake-up
/// (PostgreSQL's LISTEN/NOTIFY, also after every reconnect) and at the latest every `interval`,
/// so a lost notification delays a change by one interval, never forever. A follower that fell
/// behind the log's pruning reloads everything.
public struct LinkTableRefresher: Service {
    let database: any DataStore
    let table: LinkTable
    let interval: Duration
    let logger: Logger
    /// The change sequence the table reflects, shared by `loadAll()` and `run()`: `run()` must
    /// continue from what the load saw, or changes committed between start-up and the first poll
    /// would never reach the table.
    private let loaded: LoadedSequence

    public init(database: any DataStore, table: LinkTable, interval: Duration, logger: Logger) {
        self.database = database
        self.table = table
        self.interval = interval
        self.logger = logger
        self.loaded = LoadedSequence()
    }

    /// Loads every event; returns the change sequence the table reflects. Called before serving.
    @discardableResult
    public func loadAll() throws -> Int64 {
        let latest = try database.latestLinkChange()
        let snapshot = try database.publicationSnapshot()
        var entries: [String: LinkTable.Entry] = [:]
        entries.reserveCapacity(snapshot.items.count)
        for item in snapshot.items { entries[item.event.publicID.rawValue] = table.entry(item) }
        table.replaceAll(entries)
        logger.info("link table loaded", metadata: ["events": "\(entries.count)"])
        loaded.sequence.store(latest, ordering: .releasing)
        return latest
    }

    public func run() async throws {
        // Reads block (the storage port is synchronous): keep them off the cooperative pool.
        try await withTaskExecutorPreference(BlockingWorkExecutor.services) { try await refreshLoop() }
    }

    private func refreshLoop() async throws {
        // Normally `EdgeTracker.build` has loaded the table; a refresher run without that loads now.
        var seen = loaded.sequence.load(ordering: .acquiring)
        if seen == LoadedSequence.notLoaded { seen = try loadAll() }
        var lastPrune = ContinuousClock.now
        let wakeups = ChangeWakeups(store: database, pollInterval: interval)
        // An outage is logged when it starts and when it ends, not at every poll in between.
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await wakeups.next()
            do {
                seen = try applyChanges(after: seen)
                if ContinuousClock.now - lastPrune > .seconds(600) {
                    try database.pruneLinkChanges(olderThan: 3_600, now: Date())
                    lastPrune = .now
                }
                if failing { logger.info("link table refresh works again") }
                failing = false
            } catch {
                if !failing {
                    logger.warning("link table refresh failed; retrying until it works", metadata: ["error": "\(error)"])
                }
                failing = true
            }
        }
    }

    /// Applies every change after `sequence`; returns the newest sequence applied.
    func applyChanges(after sequence: Int64) throws -> Int64 {
        guard let changes = try database.changes(after: sequence) else {
            logger.warning("change log pruned past this tracker's position; reloading every event")
            return try loadAll()
        }
        for id in changes.ids {
            table.set(id.rawValue, try database.publishableEvent(publicID: id).map(table.entry))
        }
        return changes.latest
    }
}

/// The sequence `loadAll()` loaded at; a class so the `Service` struct's copies share it.
private final class LoadedSequence: Sendable {
    static let notLoaded: Int64 = -1
    let sequence = Atomic<Int64>(LoadedSequence.notLoaded)
}
