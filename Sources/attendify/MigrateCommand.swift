import ArgumentParser
import Core
import Foundation

/// `attendify migrate`: creates or upgrades the database schema and says what is applied.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the SQLite schema (every server command also does this at start).")

    @Option(help: "SQLite database file (env ATTENDIFY_DB; default ./data/attendify.sqlite).")
    var db: String?

    func run() throws {
        let path = db ?? Environment.value("ATTENDIFY_DB") ?? "./data/attendify.sqlite"
        let database = try AppDatabase.open(path: path)
        for name in try database.appliedMigrations() { print("applied: \(name)") }
        print("\(path) is up to date (journal mode \(try database.journalMode()))")
    }
}
