import Core
import Foundation
import Logging

/// Re-renders what changes with time alone, with nobody editing anything: a widget switches to
/// "ended" when its event is over, an organizer's feed drops events 30 days after their end,
/// and deleted events' tombstones go when their window closes. Runs inside `api` and `serve`.
///
/// The schedule lives in the database, not in memory: an event is due while its end has passed
/// and the render for that end is not recorded as done (`lifecycleDue`). So a restart, a crash
/// or a process that was down at the time misses nothing; the next tick finds the work. The
/// render comes first and the record after, so a crash in between only repeats a render.
/// Recording is a change like an edit: followers on other nodes re-render their copies too.
/// Several schedulers (several API nodes) may run at once: renders are idempotent under the
/// event's lock and the record is conditional.
public struct LifecycleScheduler: Sendable {
    let database: any DataStore
    let generator: SiteGenerator
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    /// Due work is found within `interval` of falling due (the issue allows a minute).
    public init(
        database: any DataStore, generator: SiteGenerator, interval: Duration = .seconds(10), logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.generator = generator
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    /// Ticks until the task is cancelled; failures (a database outage) are logged once and retried.
    public func run() async {
        await withTaskExecutorPreference(BlockingWorkExecutor.services) {
            var failing = false
            while !Task.isCancelled {
                do {
                    try tick()
                    if failing { logger.info("life-cycle scheduler works again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("life-cycle scheduler failed; retrying", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// What one tick did.
    public struct Report: Sendable, Equatable {
        public var rendered = 0
        public var purged = 0
        public var failed = 0
    }

    /// Does all work due now; returns what it did.
    @discardableResult
    public func tick() throws -> Report {
        var report = Report()
        let moment = now()
        var feeds: Set<Int64> = []
        // Batches keep one tick short however much fell due at once (the first start after an
        // upgrade: every past event).
        while true {
            let due = try database.lifecycleDue(now: moment, limit: 500)
            var done = 0
            for item in due {
                guard let publicID = item.key.publicID else { continue }
                do {
                    try generator.sync(eventID: item.key.id, publicID: publicID)
                    if item.step == .agedOut { feeds.insert(item.userID) }
                    try database.markLifecycleDone(item)
                    report.rendered += 1
                    done += 1
                } catch {
                    logger.error("could not re-render an event that ended", metadata: ["event_id": "\(item.key.id)", "error": "\(error)"])
                    report.failed += 1
                }
            }
            // Stop when the batch was short, or when nothing in it could be done (retry next tick).
            if due.count < 500 || done == 0 { break }
        }
        for (publicID, userID) in try database.purgeDeletedEvents(now: moment) {
            feeds.insert(userID)
            do {
                try generator.sync(publicID: publicID)
                report.purged += 1
            } catch {
                logger.error("could not remove a deleted event's feed", metadata: ["public_id": "\(publicID.rawValue)", "error": "\(error)"])
                report.failed += 1
            }
        }
        for userID in feeds { generator.syncFeedSoon(userID: userID) }
        report.failed += generator.retryDeferredFeeds()
        // Trackers destroy yesterday's visitor secret at midnight; this covers a database that
        // no tracker wrote to since (a day's secret must not outlive its day anywhere).
        try database.destroyVisitorSecrets(before: TrafficTime.dayStart(moment.epochSeconds))
        if report.rendered + report.purged > 0 {
            logger.info("life-cycle renders done", metadata: ["rendered": "\(report.rendered)", "purged": "\(report.purged)"])
        }
        return report
    }
}
