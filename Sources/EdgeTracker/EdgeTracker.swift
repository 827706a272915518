import Core
import Foundation
import Logging
import ServiceLifecycle

/// The assembled click tracker: the decision logic plus the services that keep it fed and
/// durable. `attendify track` runs `services(...)` in a service group; `attendify serve` runs the
/// background services and answers `/track` through its own router with the same `tracker`.
public struct EdgeTracker: Sendable {
    public let tracker: ClickTracker
    public let writer: ClickWriter
    public let refresher: LinkTableRefresher
    public let secretKeeper: VisitorSecretKeeper
    public let metrics: TrackerMetrics

    /// Builds everything and loads the link table, so the tracker knows every event before it
    /// answers its first request.
    public static func build(database: any DataStore, config: TrackerConfig, logger: Logger) throws -> EdgeTracker {
        let table = LinkTable(negativeTTL: config.negativeCacheTTL, publicBase: config.publicBase)
        let queue = ClickQueue(capacity: config.queueCapacity)
        let impressions = ImpressionQueue(capacity: config.queueCapacity)
        let hasher = VisitorHasher()
        let metrics = TrackerMetrics()
        let refresher = LinkTableRefresher(database: database, table: table, interval: config.refreshInterval, logger: logger)
        try refresher.loadAll()
        let secretKeeper = VisitorSecretKeeper(database: database, hasher: hasher, logger: logger)
        // Before the first request, as the link table: visitors are counted from the start.
        try secretKeeper.refreshOnce()
        return EdgeTracker(
            tracker: ClickTracker(
                database: database, config: config, table: table, queue: queue, metrics: metrics, logger: logger, impressions: impressions,
                hasher: hasher),
            writer: ClickWriter(database: database, queue: queue, impressions: impressions, metrics: metrics, config: config, logger: logger),
            refresher: refresher, secretKeeper: secretKeeper, metrics: metrics)
    }

    /// The background services, in start order. A service group stops them in reverse, so the
    /// writer, listed first, drains the queue last.
    public var backgroundServices: [any Service] { [writer, refresher, secretKeeper] }

    /// The public `/track` server on bare SwiftNIO.
    public func httpService(
        host: String, port: Int, logger: Logger, onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> any Service {
        let tracker = self.tracker
        return NIOHTTPService(
            name: "attendify track", host: host, port: port, logger: logger, pipeline: .decoderOnly,
            defences: ConnectionDefences(config: tracker.config, metrics: metrics),
            makeHandler: { TrackHTTPHandler(tracker: tracker) }, onReady: onReady)
    }

    /// `/metrics` on a loopback-only port.
    public func metricsService(port: Int, logger: Logger, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> any Service {
        let metrics = self.metrics
        return NIOHTTPService(
            name: "attendify metrics", host: "127.0.0.1", port: port, logger: logger,
            makeHandler: { MetricsHTTPHandler(metrics: metrics) }, onReady: onReady)
    }
}
