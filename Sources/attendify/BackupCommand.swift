import ArgumentParser
import Foundation
import Storage

/// `attendify backup FILE`: a consistent copy of the live database.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to FILE while the services run (SQLite: online backup; PostgreSQL: pg_dump custom format).",
        discussion: "Restore with `attendify restore FILE`, then `attendify generate --all` on every node.")

    @Argument(help: "The backup file to create (must not exist).")
    var file: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            try StorageEngine.backup(database.location, passwordFile: database.resolvedPasswordFile, to: file)
        } catch let problem as StorageEngine.BackupProblem {
            throw CommandFailure(description: problem.description)
        }
        print("Backed up \(DatabaseLocation.redacted(database.location)) to \(file)")
    }
}

/// `attendify restore FILE`: puts a backup back into the database `--db` names.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `attendify backup` (stop the api, trackers and followers first).",
        discussion: "Afterwards run `attendify generate --all` on every node so out/ matches the restored data.")

    @Argument(help: "The backup file (SQLite file or pg_dump custom archive).")
    var file: String

    @Flag(help: "Replace what the database holds now (SQLite: the file; PostgreSQL: pg_restore --clean).")
    var replace = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            try StorageEngine.restore(database.location, passwordFile: database.resolvedPasswordFile, from: file, replace: replace)
        } catch let problem as StorageEngine.BackupProblem {
            throw CommandFailure(description: problem.description)
        }
        print("Restored \(file) into \(DatabaseLocation.redacted(database.location)); now run generate --all on every node")
    }
}
