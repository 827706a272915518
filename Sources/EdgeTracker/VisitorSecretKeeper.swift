import Core
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the tracker's `VisitorHasher` holding the secrets of today and tomorrow (UTC), shared
/// with every other tracker on the database, and destroys yesterday's: in the database, and in
/// memory, within a second of midnight. Tomorrow's is fetched a day early so the switch at
/// midnight needs no database round trip on the hot path.
///
/// If the database cannot be reached, views are still counted; only visitors whose day has no
/// secret in memory yet are not (the hasher returns nil), and the keeper retries every 5 s.
public struct VisitorSecretKeeper: Service {
    let database: any DataStore
    let hasher: VisitorHasher
    let logger: Logger
    let now: @Sendable () -> Date
    static let interval: Duration = .seconds(60)

    public init(database: any DataStore, hasher: VisitorHasher, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.hasher = hasher
        self.logger = logger
        self.now = now
    }

    /// One round: today's and tomorrow's secrets in, older ones gone.
    public func refreshOnce() throws {
        let today = TrafficTime.dayStart(now().epochSeconds)
        let days = [today, today + 86_400]
        let candidates = Dictionary(uniqueKeysWithValues: days.map { ($0, VisitorHasher.newSecret()) })
        hasher.install(try database.visitorSecrets(candidates: candidates, destroyBefore: today))
    }

    public func run() async throws {
        await withTaskExecutorPreference(BlockingWorkExecutor.services) {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var pause = Self.interval
                do {
                    try refreshOnce()
                } catch {
                    logger.warning("visitor secrets could not be refreshed; will retry", metadata: ["error": "\(error)"])
                    pause = .seconds(5)
                }
                // Wake just after midnight, so yesterday's secret leaves memory on time.
                let seconds = now().timeIntervalSince1970
                let untilMidnight = 86_400 - seconds.truncatingRemainder(dividingBy: 86_400) + 0.5
                pause = min(pause, .milliseconds(Int64(untilMidnight * 1_000)))
                // A graceful shutdown ends the wait at once (a plain sleep held `track` up to a minute).
                let wait = pause
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            }
        }
    }
}
