import Core
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The one writer of clicks and views: commits each queue in batches (at least every
/// `flushInterval`, or as soon as `flushBatchSize` wait), retries failed writes with back-off
/// without losing the batch, and on graceful shutdown drains everything that was acknowledged
/// before it stops. Clicks and views are separate transactions: a view batch that fails never
/// holds clicks back.
public struct ClickWriter: Service {
    let database: any DataStore
    let queue: ClickQueue
    let impressions: ImpressionQueue
    let metrics: TrackerMetrics
    let config: TrackerConfig
    let logger: Logger

    /// Longest a shutdown waits for a failing database before giving up on the remaining clicks.
    static let drainDeadline: Duration = .seconds(30)

    public init(
        database: any DataStore, queue: ClickQueue, impressions: ImpressionQueue? = nil, metrics: TrackerMetrics, config: TrackerConfig,
        logger: Logger
    ) {
        self.database = database
        self.queue = queue
        self.impressions = impressions ?? ImpressionQueue(capacity: config.queueCapacity)
        self.metrics = metrics
        self.config = config
        self.logger = logger
    }

    /// Under a backlog a batch may grow to this many clicks: per-click cost falls with batch size
    /// (one transaction, cached statements), so the writer catches up instead of falling behind.
    static let maximumBatchSize = 20_000

    public func run() async throws {
        // Writes block (the storage port is synchronous): keep them off the cooperative pool.
        await withTaskExecutorPreference(BlockingWorkExecutor.services) { await writeLoop() }
    }

    private var waiting: Int { queue.count + impressions.count }
    private var fullBatchWaits: Bool { queue.count >= config.flushBatchSize || impressions.count >= config.flushBatchSize }

    private func writeLoop() async {
        var lastFlush = ContinuousClock.now
        var backoff: Duration = .zero
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // No pause while a full batch waits (and the last write worked): keep up first.
            if backoff > .zero || !fullBatchWaits {
                try? await Task.sleep(for: backoff > .zero ? backoff : .milliseconds(10))
            } else {
                await Task.yield()
            }
            let due = ContinuousClock.now - lastFlush >= config.flushInterval
            guard fullBatchWaits || (due && waiting > 0) else { continue }
            lastFlush = .now
            backoff = flushOnce() ? .zero : nextBackoff(backoff)
        }
        drain()
    }

    /// Writes everything still queued; used at shutdown.
    func drain() {
        let deadline = ContinuousClock.now + Self.drainDeadline
        var backoff: Duration = .zero
        while waiting > 0 {
            if flushOnce() {
                backoff = .zero
                continue
            }
            guard ContinuousClock.now < deadline else {
                logger.critical("giving up on queued clicks and views at shutdown", metadata: ["lost": "\(waiting)"])
                return
            }
            backoff = nextBackoff(backoff)
            Thread.sleep(forTimeInterval: Double(backoff.components.attoseconds) / 1e18 + Double(backoff.components.seconds))
        }
        logger.info("click queue drained")
    }

    /// One batch of each queue; false when a write failed (its batch is back in its queue).
    @discardableResult
    func flushOnce() -> Bool {
        let clicks = flush(queue, kind: "click", depth: metrics.queueDepth, recorded: metrics.recorded, write: database.recordClicks)
        let views = flush(impressions, kind: "view", depth: metrics.viewQueueDepth, recorded: metrics.viewsRecorded, write: database.recordImpressions)
        return clicks && views
    }

    private func flush<Element>(
        _ queue: InteractionQueue<Element>, kind: String, depth: borrowing Atomic<Int>, recorded: borrowing Atomic<Int>, write: ([Element]) throws -> Int
    ) -> Bool {
        let batch = queue.take(upTo: max(config.flushBatchSize, min(queue.count, Self.maximumBatchSize)))
        guard !batch.isEmpty else { return true }
        let started = ContinuousClock.now
        do {
            _ = try write(batch)
            let elapsed = ContinuousClock.now - started
            queue.writesSucceeded(true)
            recorded.add(batch.count, ordering: .relaxed)
            depth.subtract(batch.count, ordering: .relaxed)
            metrics.flushCount.add(1, ordering: .relaxed)
            metrics.flushMicroseconds.add(Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000), ordering: .relaxed)
            return true
        } catch {
            queue.putBack(batch)
            queue.writesSucceeded(false)
            metrics.writeErrors.add(1, ordering: .relaxed)
            logger.warning("\(kind) batch write failed; will retry", metadata: ["\(kind)s": "\(batch.count)", "error": "\(error)"])
            return false
        }
    }

    private func nextBackoff(_ current: Duration) -> Duration {
        current == .zero ? .milliseconds(50) : min(current * 2, .seconds(5))
    }
}
