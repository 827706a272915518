import Core
import Foundation
import Logging

/// Opens the store `--db` names: a SQLite file (the embedded default) or a PostgreSQL URL. The
/// only place that chooses an engine; everything after sees `any DataStore`.
public enum StorageEngine {
    /// Parses and checks `location` first, so an unusable one is refused with a message saying
    /// why (`DatabaseLocation.Problem`) before anything is created.
    public static func open(_ location: String, passwordFile: String? = nil, logger: Logger) throws -> any DataStore {
        switch try DatabaseLocation(parsing: location) {
        case .sqlite(let path):
            if passwordFile != nil {
                throw DatabaseLocation.Problem(description: "--db-password-file is for a postgres:// --db; \(path) is a SQLite file")
            }
            return try SQLiteStore.open(path: path)
        case .postgres(let url):
            return try PostgresStore.connect(url: url, passwordFile: passwordFile, logger: logger)
        }
    }
}
