import Core
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The shared engine for several nodes: PostgreSQL through postgres-nio, with the same schema,
/// names and semantics as `SQLiteStore` (the storage suite runs against both).
///
/// Writes are `READ COMMITTED` transactions that lock what they read-modify-write
/// (`SELECT … FOR UPDATE`) and are retried on serialization failures and deadlocks; multi-query
/// reads run in one `REPEATABLE READ READ ONLY` snapshot.
public final class PostgresStore: DataStore {
    let pool: PostgresPool
    let logger: Logger
    private let listeners = ListenerSet()

    /// How often a transaction that lost a deadlock or serialization race is run again.
    static let retries = 3

    /// Connects to the server at `url` and migrates the schema. The password comes from the URL,
    /// `passwordFile`, `ATTENDIFY_DB_PASSWORD_FILE` or `PGPASSWORD`, in that order.
    public static func connect(url: String, passwordFile: String? = nil, logger: Logger) throws -> PostgresStore {
        let location = try PostgresLocation(url: url, passwordFile: passwordFile)
        let store = PostgresStore(pool: try PostgresPool(location: location, logger: logger), logger: logger)
        do {
            try store.pool.withConnection { connection in try PostgresMigrations.migrate(connection, schema: location.schema) }
        } catch {
            store.close()
            throw StartupProblem.describe(error, location: location)
        }
        return store
    }

    init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    deinit { close() }

    // MARK: Transactions

    /// One read-write transaction; run again (whole) after a deadlock or serialization failure.
    func write<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction("BEGIN", body)
    }

    /// Several reads that must agree: one read-only snapshot.
    func snapshot<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func transaction<T>(_ begin: PostgresQuery, _ body: (PostgresConnection) throws -> T) throws -> T {
        try retrying { connection in
            try Self.begin(connection, begin)
            do {
                let result = try body(connection)
                try connection.run("COMMIT", deadline: PostgresConnection.controlDeadline)
                return result
            } catch {
                // A broken connection has no transaction left to roll back (and the pool drops it).
                if !PostgresFaults.breaksConnection(error) && !connection.isClosed {
                    _ = try? connection.run("ROLLBACK", deadline: PostgresConnection.controlDeadline)
                }
                throw error
            }
        }
    }

    /// One statement on its own (its own snapshot). Safe to run again on another connection.
    func read<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try retrying { connection in
            do {
                return try body(connection)
            } catch where PostgresFaults.lostConnection(error) {
                throw StaleConnection(underlying: error)
            }
        }
    }

    /// One data-changing statement that is its own transaction (autocommit). Run again only when
    /// it certainly did not take effect: never sent (`StaleConnection`), or rolled back by a
    /// deadlock or serialization failure. A connection lost mid-statement surfaces as a fault.
    func statement<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try retrying(body)
    }

    /// A pooled connection can have died while idle (the server restarted). Failing on its very
    /// first statement is safe to run again on a fresh one: nothing was done yet. A failure later
    /// in a write is not (a COMMIT may have landed before the connection broke), so it surfaces.
    private static func begin(_ connection: PostgresConnection, _ statement: PostgresQuery) throws {
        do {
            try connection.run(statement, deadline: PostgresConnection.controlDeadline)
        } catch where PostgresFaults.lostConnection(error) {
            throw StaleConnection(underlying: error)
        }
    }

    private func retrying<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        var stale = 0
        while true {
            do {
                return try pool.withConnection(body)
            } catch let error as StaleConnection {
                // Every idle connection may be dead after a restart: try each, then one fresh one.
                guard stale <= pool.location.poolSize else { throw PostgresFaults.mapped(error.underlying) }
                stale += 1
            } catch where PostgresFaults.isRetryable(error) && attempt < Self.retries {
                attempt += 1
                usleep(useconds_t(UInt32.random(in: 1_000...20_000) * UInt32(attempt)))
            } catch {
                throw PostgresFaults.mapped(error)
            }
        }
    }

    // MARK: Operations

    public func appliedMigrations() throws -> [String] {
        try read { connection in try PostgresMigrations.applied(connection) }
    }

    public func summary() throws -> String {
        let version = try read { connection in try connection.run("SHOW server_version").first?.decode(String.self) } ?? "?"
        return "PostgreSQL \(pool.location.displayName) (server \(version))"
    }

    public func deliverChanges(to signal: ChangeSignal) -> Bool {
        listeners.add(PostgresChangeListener(pool: pool, signal: signal, logger: logger))
        return true
    }

    public func close() {
        listeners.stopAll()
        pool.shutdown()
    }
}

/// A connection that failed before doing anything (see `PostgresStore.begin`).
struct StaleConnection: Error {
    var underlying: any Error
}

/// The change listeners a store started, stopped with it.
private final class ListenerSet: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [PostgresChangeListener] = []

    func add(_ listener: PostgresChangeListener) {
        lock.withLock { listeners.append(listener) }
        listener.start()
    }

    func stopAll() {
        for listener in lock.withLock({ listeners }) { listener.stop() }
    }
}

/// Start-up failures said in words an operator can act on.
enum StartupProblem {
    static func describe(_ error: any Error, location: PostgresLocation) -> any Error {
        let target = location.displayName
        if let state = PostgresFaults.sqlState(error) {
            switch state {
            case "28P01", "28000":
                return DatabaseLocation.Problem(
                    description: "--db \(target): the server refused the password for '\(location.username)' (set PGPASSWORD or --db-password-file)")
            case "3D000": return DatabaseLocation.Problem(description: "--db \(target): database '\(location.database)' does not exist (createdb it first)")
            default: break
            }
        }
        if let error = error as? PSQLError, error.code == .authMechanismRequiresPassword {
            return DatabaseLocation.Problem(description: "--db \(target): the server wants a password (set PGPASSWORD or --db-password-file)")
        }
        if error as? StorageFault == .unavailable || error is PSQLError || error is IOError || error is ChannelError {
            return DatabaseLocation.Problem(description: "--db \(target): cannot reach PostgreSQL (\(String(describing: error).prefix(200)))")
        }
        return error
    }
}
