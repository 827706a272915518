import Core
import Foundation
import GRDB

/// The embedded engine: one SQLite file through GRDB, migrated before anything else touches it.
///
/// Files are opened as a WAL `DatabasePool` (readers never block the writer), with foreign keys on
/// and a bounded wait for another process's write lock (`WriteDeadline`), so the API, the tracker
/// and `generate` in separate processes share one file safely.
public final class SQLiteStore: DataStore {
    let writer: any DatabaseWriter
    let path: String?

    /// How long a connection waits for another process's write lock before giving up.
    public static let busyTimeout: TimeInterval = 5

    init(writer: any DatabaseWriter, path: String?) throws {
        self.writer = writer
        self.path = path
        try Self.mappingFaults { try SQLiteMigrations.migrator.migrate(writer) }
    }

    /// Opens (creating if needed, with its folder) the SQLite file at `path` and migrates it.
    /// A path that cannot be a database is refused with a `DatabaseLocation.Problem`.
    public static func open(path: String) throws -> SQLiteStore {
        guard case .sqlite = try DatabaseLocation(parsing: path) else {
            throw DatabaseLocation.Problem(description: "\(DatabaseLocation.redacted(path)) is a URL, not a SQLite file path")
        }
        try DatabaseLocation.checkSQLitePath(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try SQLiteStore(writer: mappingFaults { try DatabasePool(path: path, configuration: configuration()) }, path: path)
    }

    /// A private in-memory database with the real schema, for tests.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue(configuration: configuration()), path: nil)
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .callback(WriteDeadline.shouldRetry)
        configuration.prepareDatabase { db in
            // NORMAL is durable across application crashes in WAL mode; only a power loss can take
            // the last commits, which a webinar click counter can afford for a ~2x write speed-up.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // 4 MB of page cache for the one writer: click batches touch three B-trees, and
                // profiles showed page reads from the OS on the hot path with the 2 MB default.
                try db.execute(sql: "PRAGMA cache_size = -4000")
            }
        }
        return configuration
    }

    /// Every write goes through here: one transaction, with the lock wait bounded by
    /// `busyTimeout` from this moment (see `WriteDeadline`).
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        let deadline = WriteDeadline.fromNow(Self.busyTimeout)
        return try Self.mappingFaults {
            // The deadline is in place before BEGIN IMMEDIATE, which is where the lock wait happens.
            try writer.writeWithoutTransaction { db in
                try WriteDeadline.while(deadline) {
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try updates(db)
                        return .commit
                    }
                    guard let result else { preconditionFailure("a committed transaction always has a result") }
                    return result
                }
            }
        }
    }

    /// Every read goes through here: one snapshot.
    func read<T>(_ value: (Database) throws -> T) throws -> T {
        try Self.mappingFaults { try writer.read(value) }
    }

    /// SQLite's operational codes become `StorageFault`s here, so no caller sees a GRDB type.
    static func mappingFaults<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            // A row written for something deleted meanwhile (an event of an erased account).
            if error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY { throw StorageError.notFound }
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: throw StorageFault.busy
            case .SQLITE_FULL: throw StorageFault.full
            case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PROTOCOL, .SQLITE_NOLFS: throw StorageFault.unavailable
            default: throw StorageError.engine("SQLite error \(error.resultCode.rawValue): \(error.message ?? "")")
            }
        }
    }

    public func appliedMigrations() throws -> [String] {
        try read { db in try SQLiteMigrations.migrator.appliedMigrations(db) }
    }

    /// The journal mode SQLite reports (`wal` for files).
    public func journalMode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    public func summary() throws -> String {
        "SQLite \(path ?? ":memory:") (journal mode \(try journalMode()))"
    }

    /// SQLite has no push: followers poll the change log (one indexed query per poll).
    public func deliverChanges(to signal: ChangeSignal) -> Bool { false }

    public func close() {
        try? (writer as? DatabasePool)?.close()
    }
}

extension SQLiteStore {
    /// Copies the whole database to a new file with SQLite's online backup API: consistent, and
    /// safe while the API and tracker keep writing. Refuses to overwrite an existing file.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw StorageError.backupTargetExists(path) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.mappingFaults {
            let target = try DatabaseQueue(path: path)
            try writer.backup(to: target)
            try target.close()
        }
    }
}
