import ArgumentParser
import Core
import Foundation
import Logging
import Storage

/// `--db` and its password file, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    static let defaultLocation = "./data/attendify.sqlite"

    @Option(
        help: """
            SQLite file, or postgres://user@host:port/dbname for a PostgreSQL shared by several nodes \
            (env ATTENDIFY_DB; default ./data/attendify.sqlite).
            """)
    var db: String?

    @Option(
        name: .customLong("db-password-file"),
        help: "File holding the PostgreSQL password (env ATTENDIFY_DB_PASSWORD_FILE; PGPASSWORD also works). Keeps it out of ps and shell history."
    )
    var passwordFile: String?

    var location: String { db ?? Environment.value("ATTENDIFY_DB") ?? Self.defaultLocation }
    /// The flag, else the variable; the variable alone is ignored for a SQLite --db (a shared
    /// environment file may set it for nodes on PostgreSQL), the flag is refused there.
    var resolvedPasswordFile: String? {
        if let passwordFile { return passwordFile }
        guard case .postgres? = try? DatabaseLocation(parsing: location) else { return nil }
        return Environment.value("ATTENDIFY_DB_PASSWORD_FILE")
    }

    func validate() throws {
        if let url = db ?? Environment.value("ATTENDIFY_DB"), url.contains("://"), DatabaseLocation.redacted(url) != url {
            // Accepted, but said: a password in the URL is visible to every user of `ps`.
            FileHandle.standardError.write(
                Data("warning: --db carries a password; prefer PGPASSWORD or --db-password-file (the URL is visible in ps)\n".utf8))
        }
    }

    func open(logger: Logger) throws -> any DataStore {
        try StorageEngine.open(location, passwordFile: resolvedPasswordFile, logger: logger)
    }
}

/// A command that could not do its job for a reason outside the command line: printed as
/// `Error: …` with exit status 1, without the usage text a `ValidationError` adds.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}
