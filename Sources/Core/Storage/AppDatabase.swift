import Foundation
import GRDB

/// The one owner of the SQLite database: opens it, migrates it before anything else touches it, and
/// offers each read or write as a method named for what it does (one transaction each).
///
/// Files are opened as a WAL `DatabasePool` (readers never block the writer), with foreign keys on
/// and a busy timeout so a second process (API next to tracker) waits instead of failing.
public final class AppDatabase: Sendable {
    let writer: any DatabaseWriter

    /// How long a connection waits for another process's write lock before giving up.
    public static let busyTimeout: TimeInterval = 5

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
    }

    /// Opens (creating if needed, with its folder) the database that `--db` names and migrates
    /// it. A location it cannot use is refused with a `DatabaseLocation.Problem` that says why.
    public static func open(path location: String) throws -> AppDatabase {
        let path: String
        switch try DatabaseLocation(parsing: location) {
        case .sqlite(let file): path = file
        case .postgres(let url):
            throw DatabaseLocation.Problem(
                description:
                    "--db \(DatabaseLocation.redacted(url)): this build stores data in SQLite only; PostgreSQL support is not here yet. Give a SQLite file path such as ./data/attendify.sqlite"
            )
        }
        try DatabaseLocation.checkSQLitePath(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try AppDatabase(writer: DatabasePool(path: path, configuration: configuration()))
    }

    /// A private in-memory database with the real schema, for tests.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(writer: DatabaseQueue(configuration: configuration()))
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
        // The deadline is in place before BEGIN IMMEDIATE, which is where the lock wait happens.
        return try writer.writeWithoutTransaction { db in
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

    /// Names of the migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// The journal mode SQLite reports (`wal` for files).
    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

extension AppDatabase {
    /// Copies the whole database to a new file with SQLite's online backup API: consistent, and
    /// safe while the API and tracker keep writing. Refuses to overwrite an existing file.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw StorageError.backupTargetExists(path) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = try DatabaseQueue(path: path)
        try writer.backup(to: target)
        try target.close()
    }
}
