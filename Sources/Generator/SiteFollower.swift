import Core
import Foundation
import Logging

/// `generate --follow`: keeps one node's `out/` in step with a database that other nodes write.
/// A full rebuild at start (the catch-up), then the `link_changes` log from the position read
/// before that rebuild, so nothing committed meanwhile is skipped. It reads the log when the store
/// pushes a wake-up (PostgreSQL LISTEN/NOTIFY, also after every reconnect) and at the latest every
/// `pollInterval`; each changed event is re-synced under its publish lock, exactly like the API's
/// own publishes, so a follower and an API on the same node never fight over files.
///
/// An event whose publish fails (full disk, say) is retried on every later round until it works;
/// a follower that fell behind the log's pruning rebuilds everything.
public struct SiteFollower: Sendable {
    let generator: SiteGenerator
    let database: any DataStore
    let pollInterval: Duration
    let logger: Logger

    public init(generator: SiteGenerator, database: any DataStore, pollInterval: Duration = .milliseconds(250), logger: Logger) {
        self.generator = generator
        self.database = database
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs until the task is cancelled. Database outages are logged and waited out.
    public func run(onCaughtUp: @Sendable () -> Void = {}) async {
        // Reads and publishes block: keep them off the cooperative pool.
        await withTaskExecutorPreference(BlockingWorkExecutor.services) { await followLoop(onCaughtUp: onCaughtUp) }
    }

    private func followLoop(onCaughtUp: @Sendable () -> Void) async {
        let wakeups = ChangeWakeups(store: database, pollInterval: pollInterval)
        var position: Int64?
        var failed: Set<PublicID> = []
        // An outage is logged when it starts and when it ends, not at every poll in between.
        var failing = false
        while !Task.isCancelled {
            do {
                if let seen = position {
                    let (next, stillFailing) = try apply(after: seen, retrying: failed)
                    position = next
                    failed = stillFailing
                } else {
                    position = try catchUp()
                    onCaughtUp()
                }
                if failing { logger.info("follower reads the database again") }
                failing = false
            } catch {
                if !failing {
                    logger.warning("follower could not read the database; retrying until it works", metadata: ["error": "\(error)"])
                }
                failing = true
            }
            if Task.isCancelled { break }
            // Failed publishes are retried at least once a second.
            await wakeups.next(within: failed.isEmpty ? nil : .seconds(1))
        }
    }

    /// Rebuilds everything; returns the log position the rebuild reflects (read before it).
    func catchUp() throws -> Int64 {
        let position = try database.latestLinkChange()
        do {
            let report = try generator.publishAll()
            logger.info("follower caught up", metadata: ["published": "\(report.published)", "removed": "\(report.removed)"])
        } catch let error as SiteGenerator.GenerateError {
            // Some events failed and kept their previous files; the next changes retry them.
            logger.error("follower catch-up incomplete", metadata: ["error": "\(error)"])
        }
        return position
    }

    /// Applies every change after `position` (and retries `failed`); returns the new position and
    /// the events that still could not be published.
    func apply(after position: Int64, retrying failed: Set<PublicID>) throws -> (Int64, Set<PublicID>) {
        guard let changes = try database.changes(after: position) else {
            logger.warning("change log pruned past this follower's position; rebuilding everything")
            return (try catchUp(), [])
        }
        // Each id once per round (a settings change names every event of an organizer), in
        // order of first appearance; the generator logs what fails, and it is retried next round.
        var seen: Set<PublicID> = []
        let pending = (Array(failed) + changes.ids).filter { seen.insert($0).inserted }
        return (changes.latest, generator.sync(changed: pending))
    }
}
