import ArgumentParser
import Foundation
import Logging
import Storage

/// `attendify migrate-to-postgres`: moves an existing SQLite installation onto PostgreSQL.
struct MigrateToPostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to-postgres",
        abstract: "Copy a SQLite installation into an empty PostgreSQL database and verify the copy.",
        discussion: """
            Stop the api and trackers first (clicks arriving during the copy would stay behind in SQLite). \
            Every row keeps its id, in one PostgreSQL transaction; afterwards row counts and per-event \
            statistics are compared and any difference fails the command. The SQLite file is not changed. \
            Then point every node's --db at the PostgreSQL URL and start them.
            """)

    @Option(help: "The SQLite database to copy (default ./data/attendify.sqlite).")
    var from = "./data/attendify.sqlite"

    @Option(help: "The PostgreSQL URL to fill, e.g. postgres://attendify@127.0.0.1:5432/attendify (must be empty).")
    var to: String

    @Option(
        name: .customLong("db-password-file"),
        help: "File holding the PostgreSQL password (env ATTENDIFY_DB_PASSWORD_FILE; PGPASSWORD also works).")
    var passwordFile: String?

    func validate() throws {
        guard case .postgres = try DatabaseLocation(parsing: to) else { throw ValidationError("--to must be a postgres:// URL") }
        guard case .sqlite = try DatabaseLocation(parsing: from) else { throw ValidationError("--from must be a SQLite file path") }
    }

    func run() throws {
        let started = ContinuousClock.now
        do {
            let report = try SQLiteToPostgres.copy(
                from: from, to: to, passwordFile: passwordFile ?? Environment.value("ATTENDIFY_DB_PASSWORD_FILE"),
                logger: Logger(label: "attendify.migrate-to-postgres"))
            print("Copied \(from) into \(DatabaseLocation.redacted(to)) in \(ContinuousClock.now - started) and verified it: \(report)")
        } catch let problem as SQLiteToPostgres.Problem {
            throw CommandFailure(description: problem.description)
        }
    }
}
