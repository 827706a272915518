@testable import Core
import Foundation
import TestSupport
import Testing

/// `--db` names a SQLite file or a PostgreSQL URL; anything the product cannot use is refused
/// before a file is created (before, `postgres://host/db` silently became a SQLite file `postgres:`).
@Suite struct DatabaseLocationTests {
    @Test(arguments: ["postgres://ann@db.example/attendify", "postgresql://db.example:5433/attendify?sslmode=require"])
    func postgresURLsAreRecognized(_ text: String) throws {
        #expect(try DatabaseLocation(parsing: text) == .postgres(url: text))
    }

    @Test(arguments: ["./data/attendify.sqlite", "/var/lib/attendify/attendify.sqlite", "db.sqlite", "./odd:name.sqlite", "/srv/a:b/db"])
    func pathsAreSQLite(_ text: String) throws {
        #expect(try DatabaseLocation(parsing: text) == .sqlite(path: text))
    }

    @Test(arguments: ["mysql://db/attendify", "sqlite:///tmp/x", "file:db.sqlite", "", "   "])
    func otherSchemesAndEmptyAreRefused(_ text: String) {
        #expect(throws: DatabaseLocation.Problem.self) { try DatabaseLocation(parsing: text) }
    }

    @Test func aPostgresURLIsRefusedByThisBuildWithoutCreatingAFileAndWithoutThePassword() throws {
        do {
            _ = try AppDatabase.open(path: "postgres://ann:hunter2@db.example/attendify")
            Issue.record("a PostgreSQL URL was opened as SQLite")
        } catch let problem as DatabaseLocation.Problem {
            #expect(problem.description.contains("postgres://ann:***@db.example/attendify"))
            #expect(!problem.description.contains("hunter2"))
        }
        // What the old code created, relative to the working directory.
        #expect(!FileManager.default.fileExists(atPath: "postgres:"))
    }

    @Test func foldersFilesThatAreNotSQLiteAndFileParentsAreRefused() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.txt")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: text))
        for bad in [folder.path, text, "\(text)/db.sqlite"] {
            #expect(throws: DatabaseLocation.Problem.self, "\(bad)") { try AppDatabase.open(path: bad) }
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "not a database")
        // A new file in a new folder, and an existing database, still open.
        let fresh = folder.file("deeper/still/db.sqlite")
        _ = try AppDatabase.open(path: fresh)
        _ = try AppDatabase.open(path: fresh)
    }
}
