import Core
import Foundation

/// `attendify backup`: a consistent copy of the live database, whichever engine holds it.
/// SQLite: the online backup API into a new SQLite file. PostgreSQL: `pg_dump --format=custom`
/// (a consistent snapshot while the services run; restore with `pg_restore`), with the password
/// handed over in the environment, never on the command line.
extension StorageEngine {
    public enum BackupProblem: Error, CustomStringConvertible {
        case targetExists(String)
        case backupMissing(String)
        case wouldReplace(String)
        case toolMissing(String)
        case toolFailed(String)

        public var description: String {
            switch self {
            case .targetExists(let path): return "\(path) already exists; choose a new file name"
            case .backupMissing(let path): return "no backup at \(path)"
            case .wouldReplace(let path): return "\(path) exists; stop the services and pass --replace to overwrite it"
            case .toolMissing(let tool): return "\(tool) is not installed (Debian: apt-get install postgresql-client-15)"
            case .toolFailed(let message): return message
            }
        }
    }

    public static func backup(_ location: String, passwordFile: String? = nil, to file: String) throws {
        guard !FileManager.default.fileExists(atPath: file) else { throw BackupProblem.targetExists(file) }
        switch try DatabaseLocation(parsing: location) {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw DatabaseLocation.Problem(description: "no database at \(path) (pass --db or set ATTENDIFY_DB)")
            }
            try SQLiteStore.open(path: path).backup(to: file)
        case .postgres(let url):
            let target = try PostgresLocation(url: url, passwordFile: passwordFile)
            try runTool(
                "pg_dump",
                ["--format=custom", "--no-owner", "--file", file] + target.toolArguments
                    + (target.schema == "public" ? [] : ["--schema", target.schema]),
                password: target.password, name: "pg_dump")
        }
    }

    /// `attendify restore`: the reverse, into a database no service is using. SQLite: the file is
    /// copied into place (refusing to replace a database without `replace`). PostgreSQL:
    /// `pg_restore --clean --if-exists` into the named database.
    public static func restore(_ location: String, passwordFile: String? = nil, from file: String, replace: Bool) throws {
        guard FileManager.default.fileExists(atPath: file) else { throw BackupProblem.backupMissing(file) }
        switch try DatabaseLocation(parsing: location) {
        case .sqlite(let path):
            if FileManager.default.fileExists(atPath: path) {
                guard replace else {
                    throw BackupProblem.wouldReplace(path)
                }
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            // Open the copy once: it must be a SQLite database, and it gets any newer migrations.
            try SQLiteStore.open(path: file).backup(to: path)
        case .postgres(let url):
            let target = try PostgresLocation(url: url, passwordFile: passwordFile)
            var arguments = ["--no-owner", "--single-transaction", "--exit-on-error"]
            if replace { arguments += ["--clean", "--if-exists"] }
            try runTool("pg_restore", arguments + target.toolArguments + [file], password: target.password, name: "pg_restore")
        }
    }

    static func runTool(_ tool: String, _ arguments: [String], password: String?, name: String) throws {
        guard let executable = findExecutable(tool) else { throw BackupProblem.toolMissing(tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BackupProblem.toolFailed("\(name) failed (exit \(process.terminationStatus)): \(String(decoding: output, as: UTF8.self).prefix(500))")
        }
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension PostgresLocation {
    /// libpq tool flags for this location (the password travels in PGPASSWORD, not here).
    var toolArguments: [String] {
        ["--host", host, "--port", String(port), "--username", username, "--dbname", database]
    }
}
