import Core
import Foundation
import Logging
import PostgresNIO

/// Holds one connection that `LISTEN`s on the change channel and fires the signal at every
/// notification. Notifications are only a wake-up: they are lost while the connection is down,
/// so the signal also fires after every (re)connect, and the follower then reads the change log
/// from where it was. Reconnects with back-off (0.1 s doubling to 5 s) until stopped.
final class PostgresChangeListener: @unchecked Sendable {
    private let pool: PostgresPool
    private let signal: ChangeSignal
    private let logger: Logger
    private let lock = NSCondition()
    private var stopped = false
    private var connection: PostgresConnection?

    init(pool: PostgresPool, signal: ChangeSignal, logger: Logger) {
        self.pool = pool
        self.signal = signal
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "attendify-listen"
        thread.start()
    }

    func stop() {
        let connection = lock.withLock {
            stopped = true
            lock.broadcast()
            return self.connection
        }
        if let connection { PostgresPool.close(connection) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run() {
        var backoff: TimeInterval = 0.1
        var wasDown = false
        while !isStopped {
            do {
                let connection = try pool.connect()
                let signal = self.signal
                let channel = PostgresMigrations.changeChannel(schema: pool.location.schema)
                connection.addListener(channel: channel) { _, _ in signal.fire() }
                try connection.run("LISTEN \(unescaped: channel)")
                let keep = lock.withLock {
                    if stopped { return false }
                    self.connection = connection
                    return true
                }
                guard keep else {
                    PostgresPool.close(connection)
                    return
                }
                if wasDown { logger.info("change notifications restored") }
                backoff = 0.1
                wasDown = false
                signal.fire()  // whatever happened while not listening: read the log now
                try? connection.closeFuture.wait()
                lock.withLock { self.connection = nil }
                if isStopped { return }
                logger.warning("change notification connection closed; reconnecting")
                wasDown = true
            } catch {
                if !wasDown {
                    logger.warning("change notifications lost; reconnecting", metadata: ["error": "\(PostgresFaults.mapped(error))"])
                }
                wasDown = true
            }
            if isStopped { return }
            signal.fire()
            lock.withLock { _ = lock.wait(until: Date(timeIntervalSinceNow: backoff)) }
            backoff = min(backoff * 2, 5)
        }
    }
}
