import Core
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A small blocking pool of PostgreSQL connections. Callers (see `DataStore`) run on threads that
/// may block, so a checkout waits on a condition and each query waits on its NIO future; nothing
/// here ever runs on, or blocks, an event loop. A connection that failed in a way that can break
/// it is closed instead of returned, and the next checkout dials again: that is the whole
/// reconnect story, so a PostgreSQL restart costs the calls made while it was down (they fail
/// with `StorageFault.unavailable`) and nothing after.
final class PostgresPool: @unchecked Sendable {
    let location: PostgresLocation
    let logger: Logger
    private let group: any EventLoopGroup
    private let configuration: PostgresConnection.Configuration
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false
    private var nextID = 0

    /// Longest a caller waits for a free connection, and for a new one to connect.
    static let checkoutTimeout: TimeInterval = 5
    static let connectTimeout: TimeAmount = .seconds(3)

    init(location: PostgresLocation, logger: Logger) throws {
        self.location = location
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: try Self.tls(location.tls))
        configuration.options.connectTimeout = Self.connectTimeout
        // Bounded waits on the server side too: a write stuck behind another's row lock gives up
        // (and the API answers 503) instead of holding a connection and a thread indefinitely.
        configuration.options.additionalStartupParameters = [
            ("application_name", "attendify"), ("lock_timeout", "5s"), ("statement_timeout", "60s"),
            ("idle_in_transaction_session_timeout", "60s"), ("search_path", location.schema),
        ]
        self.configuration = configuration
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable: return .disable
        case .prefer:
            configuration.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: configuration))
        case .require:
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    /// A new connection, outside the pool (the change listener keeps one of its own).
    func connect() throws -> PostgresConnection {
        let id = condition.withLock {
            nextID += 1
            return nextID
        }
        return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
    }

    /// Runs `body` with a connection of the pool. Errors come out as they are (the store decides
    /// what to retry and maps the rest with `PostgresFaults`).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let result = try body(connection)
            checkIn(connection, broken: false)
            return result
        } catch {
            checkIn(connection, broken: PostgresFaults.breaksConnection(error))
            throw error
        }
    }

    private func checkOut() throws -> PostgresConnection {
        let deadline = Date(timeIntervalSinceNow: Self.checkoutTimeout)
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw StorageFault.unavailable
            }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    open -= 1
                    continue
                }
                condition.unlock()
                return connection
            }
            if open < location.poolSize {
                open += 1
                condition.unlock()
                do {
                    return try connect()
                } catch {
                    condition.withLock {
                        open -= 1
                        condition.signal()
                    }
                    throw error
                }
            }
            guard condition.wait(until: deadline) else {
                condition.unlock()
                throw StorageFault.busy
            }
        }
    }

    private func checkIn(_ connection: PostgresConnection, broken: Bool) {
        let discard = condition.withLock {
            let discard = broken || closed || connection.isClosed
            if discard { open -= 1 } else { idle.append(connection) }
            condition.signal()
            return discard
        }
        if discard { Self.close(connection) }
    }

    /// Closes without waiting; the connection object is kept alive until the close completes
    /// (postgres-nio insists a connection is closed before it goes away).
    static func close(_ connection: PostgresConnection) {
        (connection.close() as EventLoopFuture<Void>).whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    func shutdown() {
        let connections = condition.withLock {
            closed = true
            defer { idle.removeAll() }
            open -= idle.count
            condition.broadcast()
            return idle
        }
        // Never waits: the last reference to a store can go away on a NIO event loop (a tracker's
        // channel handler), where blocking on a future is a crash.
        for connection in connections { Self.close(connection) }
    }
}

/// One connection in use: queries wait on their futures, with a deadline. postgres-nio writes a
/// query to its channel without a write promise; when the channel closed just before (a server
/// restart), the query's own future never completes, and an unbounded wait would hang the caller
/// forever (seen: a click writer stuck in ROLLBACK after a restart, its batch never put back).
/// So a closed connection is refused up front, and a wait that outlives the server-side
/// `statement_timeout` closes the connection and fails with `StorageFault.unavailable`.
extension PostgresConnection {
    /// Beyond the server's own 60 s `statement_timeout`: only a lost answer gets here.
    static let queryDeadline: TimeInterval = 65
    /// BEGIN, COMMIT and ROLLBACK do no work worth waiting for.
    static let controlDeadline: TimeInterval = 10

    @discardableResult
    func run(_ query: PostgresQuery, deadline: TimeInterval = PostgresConnection.queryDeadline) throws -> PostgresQueryResult {
        // Not sent at all: safe for the caller to run again on another connection.
        guard !isClosed else { throw StaleConnection(underlying: StorageFault.unavailable) }
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<PostgresQueryResult, any Error>?>(nil)
        self.query(query, logger: logger).whenComplete { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + deadline) == .success, let result = outcome.withLockedValue({ $0 }) else {
            PostgresPool.close(self)
            throw StorageFault.unavailable
        }
        return try result.get()
    }
}
