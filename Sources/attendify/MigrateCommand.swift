import ArgumentParser
import Foundation
import Logging

/// `attendify migrate`: creates or upgrades the database schema and says what is applied.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the schema, SQLite or PostgreSQL (every server command also does this at start).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open(logger: Logger(label: "attendify.migrate"))
        defer { store.close() }
        for name in try store.appliedMigrations() { print("applied: \(name)") }
        print("\(try store.summary()) is up to date")
    }
}
