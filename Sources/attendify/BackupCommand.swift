import ArgumentParser
import Core
import Foundation

/// `attendify backup FILE`: a consistent copy of the live database.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite database to FILE with SQLite's online backup (safe while the services run).",
        discussion: "Restore by stopping the services, replacing the database file with the copy, and running generate --all.")

    @Argument(help: "The backup file to create (must not exist).")
    var file: String

    @Option(help: "SQLite database file (env ATTENDIFY_DB; default ./data/attendify.sqlite).")
    var db: String?

    func run() throws {
        let path = db ?? Environment.value("ATTENDIFY_DB") ?? "./data/attendify.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no database at \(path) (pass --db or set ATTENDIFY_DB)")
        }
        do {
            try AppDatabase.open(path: path).backup(to: file)
        } catch StorageError.backupTargetExists(let target) {
            throw ValidationError("\(target) already exists; choose a new file name")
        }
        print("Backed up \(path) to \(file)")
    }
}
