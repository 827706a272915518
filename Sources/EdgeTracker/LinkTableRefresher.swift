import Core
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the link table in step with the database, also when the API runs in another process:
/// loads every event at start, then polls the `link_changes` log (one indexed query) and reloads
/// just the events that changed, so an edit or deletion reaches the tracker well within a second.
public struct LinkTableRefresher: Service {
    let database: AppDatabase
    let table: LinkTable
    let interval: Duration
    let logger: Logger
    /// The change sequence the table reflects, shared by `loadAll()` and `run()`: `run()` must
    /// continue from what the load saw, or changes committed between start-up and the first poll
    /// would never reach the table.
    private let loaded: LoadedSequence

    public init(database: AppDatabase, table: LinkTable, interval: Duration, logger: Logger) {
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
        for item in snapshot.items { entries[item.event.publicID.rawValue] = LinkTable.Entry(item) }
        table.replaceAll(entries)
        logger.info("link table loaded", metadata: ["events": "\(entries.count)"])
        loaded.sequence.store(latest, ordering: .releasing)
        return latest
    }

    public func run() async throws {
        // Normally `EdgeTracker.build` has loaded the table; a refresher run without that loads now.
        var seen = loaded.sequence.load(ordering: .acquiring)
        if seen == LoadedSequence.notLoaded { seen = try loadAll() }
        var lastPrune = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                seen = try applyChanges(after: seen)
                if ContinuousClock.now - lastPrune > .seconds(600) {
                    try database.pruneLinkChanges(olderThan: 3_600, now: Date())
                    lastPrune = .now
                }
            } catch {
                logger.warning("link table refresh failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies every change after `sequence`; returns the newest sequence applied.
    func applyChanges(after sequence: Int64) throws -> Int64 {
        var current = sequence
        while true {
            let (ids, latest) = try database.linkChanges(after: current)
            guard latest > current else { return current }
            for id in Set(ids) {
                table.set(id.rawValue, try database.publishableEvent(publicID: id).map { LinkTable.Entry($0) })
            }
            current = latest
        }
    }
}

/// The sequence `loadAll()` loaded at; a class so the `Service` struct's copies share it.
private final class LoadedSequence: Sendable {
    static let notLoaded: Int64 = -1
    let sequence = Atomic<Int64>(LoadedSequence.notLoaded)
}
